// One time series that may or may not exist and whose labels may change: the building block
// that lets Metrics drop a node's series when the node leaves the spec, instead of leaving a
// stale value behind that an alert would keep firing on.
#pragma once

#include <prometheus/family.h>
#include <prometheus/labels.h>

#include <utility>

namespace chainvisor::observe {

template <typename T>
class Series {
public:
    Series() = default;
    ~Series() { reset(); }
    Series(const Series&) = delete;
    Series& operator=(const Series&) = delete;
    Series(Series&& other) noexcept
        : family_(std::exchange(other.family_, nullptr)),
          metric_(std::exchange(other.metric_, nullptr)),
          labels_(std::move(other.labels_)) {}
    Series& operator=(Series&& other) noexcept {
        if (this != &other) {
            reset();
            family_ = std::exchange(other.family_, nullptr);
            metric_ = std::exchange(other.metric_, nullptr);
            labels_ = std::move(other.labels_);
        }
        return *this;
    }

    // The series of `family` with `labels`, made if needed; one held for other labels is
    // removed first, so a node that moves to another host does not leave its old series.
    // `args` construct a new metric (a histogram's buckets).
    template <typename... Args>
    T& bind(prometheus::Family<T>& family, const prometheus::Labels& labels, Args&&... args) {
        if (metric_ != nullptr && family_ == &family && labels_ == labels) {
            return *metric_;
        }
        reset();
        metric_ = &family.Add(labels, std::forward<Args>(args)...);
        family_ = &family;
        labels_ = labels;
        return *metric_;
    }

    void reset() {
        if (metric_ != nullptr) {
            family_->Remove(metric_);
        }
        family_ = nullptr;
        metric_ = nullptr;
        labels_.clear();
    }

    bool bound() const { return metric_ != nullptr; }

private:
    prometheus::Family<T>* family_ = nullptr;
    T* metric_ = nullptr;
    prometheus::Labels labels_;
};

}  // namespace chainvisor::observe
