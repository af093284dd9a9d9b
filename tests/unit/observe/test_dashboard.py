#!/usr/bin/env python3
"""The Grafana dashboard (and the alert rules) against what chainvisord really exposes.

Every PromQL expression in etc/grafana/chainvisor-dashboard.json and in
etc/prometheus/chainvisor-alerts.yml may name only series that appear in a live scrape of a
populated Metrics (the observe_sample_scrape tool), plus Prometheus' own `up`. A renamed metric
or a typo fails here instead of leaving an empty panel or an alert that can never fire. With
promtool present, every dashboard expression is also parsed by Prometheus itself.

    test_dashboard.py --scrape-tool PATH --dashboard JSON --alerts YAML [unittest options]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ARGS = None

# Series Prometheus makes itself for every target.
SYNTHETIC = {"up"}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
            "group_left", "group_right", "inf", "nan", "atan2"}
LABEL_LIST = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
TOKEN = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[A-Za-z]*|\S")
GRAFANA_VARIABLE = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")


def metric_names(expr):
    """The series names an expression selects (not functions, keywords or labels)."""
    text = GRAFANA_VARIABLE.sub("", expr)
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', text)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = LABEL_LIST.sub(" ", text)
    tokens = TOKEN.findall(text)
    names = set()
    for i, token in enumerate(tokens):
        if not re.fullmatch(r"[A-Za-z_:][A-Za-z0-9_:]*", token):
            continue
        if token.lower() in KEYWORDS:
            continue
        if i + 1 < len(tokens) and tokens[i + 1] == "(":
            continue  # a function or an aggregation
        names.add(token)
    return names


def variable_expr(query):
    """The PromQL inside a Grafana variable query such as label_values(metric{…}, label)."""
    match = re.fullmatch(r"\s*label_values\((.*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*", query)
    return match.group(1) if match else query


def dashboard_exprs(dashboard):
    """(where, expr) for every panel target and every query variable."""
    found = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            found.append((f'panel "{panel["title"]}" {target["refId"]}', target["expr"]))
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            query = variable["query"]
            query = query["query"] if isinstance(query, dict) else query
            found.append((f'variable ${variable["name"]}', variable_expr(query)))
    return found


def alert_exprs(text):
    """(alert, expr) for every rule of a rules file written the way ours is: `expr:` either on
    one line or as a `|` block. Kept this simple on purpose (no YAML module needed); the count
    check in the test catches a rule this reader misses."""
    lines = text.splitlines()
    found = []
    alert = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"\s*- alert:\s*(\S+)", line)
        if m:
            alert = m.group(1)
        m = re.match(r"(\s*)expr:\s*(.*)$", line)
        if m:
            indent, rest = len(m.group(1)), m.group(2).strip()
            if rest in ("|", "|-", ">", ">-"):
                block = []
                i += 1
                while i < len(lines) and (not lines[i].strip() or
                                          len(lines[i]) - len(lines[i].lstrip()) > indent):
                    block.append(lines[i])
                    i += 1
                found.append((alert, "\n".join(block)))
                continue
            found.append((alert, rest.strip("'\"")))
        i += 1
    return found


def promtool_or_skip(test):
    if shutil.which("promtool"):
        return True
    if os.environ.get("CHAINVISOR_REQUIRE_ALL") == "1":
        test.fail("promtool not found: install Debian's prometheus package")
    test.skipTest("promtool not found (Debian package prometheus)")
    return False


class DashboardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        scrape = subprocess.run([ARGS.scrape_tool], check=True, capture_output=True,
                                text=True).stdout
        cls.scraped = {line.split("{")[0].split(" ")[0]
                       for line in scrape.splitlines() if line and not line.startswith("#")}
        cls.families = {line.split()[2] for line in scrape.splitlines()
                        if line.startswith("# TYPE ")}
        with open(ARGS.dashboard, encoding="utf-8") as f:
            cls.dashboard = json.load(f)
        with open(ARGS.alerts, encoding="utf-8") as f:
            cls.alerts_text = f.read()

    def test_the_scrape_has_every_family(self):
        # Guards the fixture: a family without samples would make every name below look unknown.
        # 24 is every family Metrics declares; a new one must reach the fixture (and the
        # dashboard, below).
        self.assertEqual(len(self.families), 24, sorted(self.families))
        for family in self.families:
            self.assertTrue(any(name.startswith(family) for name in self.scraped), family)

    def test_every_dashboard_expression_names_only_exposed_series(self):
        exprs = dashboard_exprs(self.dashboard)
        self.assertGreaterEqual(len(exprs), 30)
        for where, expr in exprs:
            with self.subTest(where=where):
                names = metric_names(expr)
                self.assertTrue(names, f"{where}: no series in {expr!r}")
                unknown = names - self.scraped - SYNTHETIC
                self.assertFalse(unknown, f"{where}: not in a chainvisord scrape: {unknown}")

    def test_every_family_is_on_the_dashboard(self):
        used = set()
        for _, expr in dashboard_exprs(self.dashboard):
            used |= metric_names(expr)
        for family in sorted(self.families):
            with self.subTest(family=family):
                self.assertTrue(any(name == family or name.startswith(family + "_")
                                    for name in used), f"{family} is on no panel")

    def test_every_alert_expression_names_only_exposed_series(self):
        exprs = alert_exprs(self.alerts_text)
        self.assertEqual(len(exprs), self.alerts_text.count("- alert:"),
                         "an alert's expr was not read")
        for alert, expr in exprs:
            with self.subTest(alert=alert):
                names = metric_names(expr)
                self.assertTrue(names, f"{alert}: no series in {expr!r}")
                unknown = names - self.scraped - SYNTHETIC
                self.assertFalse(unknown, f"{alert}: not in a chainvisord scrape: {unknown}")

    def test_one_prometheus_data_source_variable(self):
        variables = {v["name"]: v for v in self.dashboard["templating"]["list"]}
        self.assertEqual(variables["DS_PROMETHEUS"]["type"], "datasource")
        self.assertEqual(variables["DS_PROMETHEUS"]["query"], "prometheus")
        wanted = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
        for panel in self.dashboard["panels"]:
            if panel["type"] == "row":
                continue
            with self.subTest(panel=panel["title"]):
                self.assertEqual(panel["datasource"], wanted)
                for target in panel["targets"]:
                    self.assertEqual(target["datasource"], wanted)
        for variable in variables.values():
            if variable["type"] == "query":
                self.assertEqual(variable["datasource"], wanted)

    def test_rows_and_layout(self):
        self.assertIn(self.dashboard["schemaVersion"], range(36, 40))
        rows = [p["title"] for p in self.dashboard["panels"] if p["type"] == "row"]
        for wanted in ("Fleet overview", "Networks", "Nodes", "Reconciler internals"):
            self.assertIn(wanted, rows)
        ids = [p["id"] for p in self.dashboard["panels"]]
        self.assertEqual(len(ids), len(set(ids)), "panel ids repeat")
        taken = set()
        for panel in self.dashboard["panels"]:
            pos = panel["gridPos"]
            self.assertLessEqual(pos["x"] + pos["w"], 24, panel["title"])
            cells = {(x, y) for x in range(pos["x"], pos["x"] + pos["w"])
                     for y in range(pos["y"], pos["y"] + pos["h"])}
            self.assertFalse(cells & taken, f'panel "{panel["title"]}" overlaps another')
            taken |= cells

    def test_prometheus_parses_every_dashboard_expression(self):
        if not promtool_or_skip(self):
            return
        rules = ["groups:", "  - name: dashboard", "    rules:"]
        for n, (where, expr) in enumerate(dashboard_exprs(self.dashboard)):
            concrete = (expr.replace("$__rate_interval", "5m").replace("$__interval", "1m"))
            concrete = GRAFANA_VARIABLE.sub(".*", concrete)
            rules.append(f"      - record: dashboard:expr_{n}")
            rules.append("        expr: " + json.dumps(concrete))
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
            f.write("\n".join(rules) + "\n")
            path = f.name
        try:
            result = subprocess.run(["promtool", "check", "rules", path], capture_output=True,
                                    text=True)
        finally:
            os.unlink(path)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


class ReaderTest(unittest.TestCase):
    """The expression reader itself: what it must and must not call a series."""

    def test_names(self):
        self.assertEqual(
            metric_names('sum by (kind, result) (increase(a_total{x="y"}[$__rate_interval]))'),
            {"a_total"})
        self.assertEqual(
            metric_names('b * on(job, node) group_left(region) c{region!=""} offset 5m > 0'),
            {"b", "c"})
        self.assertEqual(metric_names("time() - max(d > 1e9) or vector(0)"), {"d"})
        self.assertEqual(metric_names('label_replace(e, "dst", "$1", "src", "(.*)")'), {"e"})
        self.assertEqual(variable_expr('label_values(f{instance=~"$instance"}, node)'),
                         'f{instance=~"$instance"}')

    def test_alert_reader(self):
        text = ("  - alert: One\n    expr: x == 0\n    for: 1m\n"
                "  - alert: Two\n    expr: |\n      y\n      and z\n    for: 5m\n")
        self.assertEqual(alert_exprs(text), [("One", "x == 0"), ("Two", "      y\n      and z")])


def main():
    global ARGS
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--scrape-tool", required=True)
    parser.add_argument("--dashboard", required=True)
    parser.add_argument("--alerts", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest)


if __name__ == "__main__":
    main()
