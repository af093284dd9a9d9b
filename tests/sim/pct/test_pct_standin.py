"""Unit tests of the `pct` stand-in's pure parts: option parsing like Getopt::Long, parameter
checks in PVE::JSONSchema's words, property strings, config files, the output formats of
`pct list`, `pct config` and `pct listsnapshot`, and the config lock's timeout. Needs neither
root nor LXC; the containers themselves are tested through sshd in
tests/integration/test_pct_lxc_standin.py."""

import contextlib
import fcntl
import importlib.machinery
import importlib.util
import io
import os
import pathlib
import re
import shutil
import tempfile
import time
import unittest

HERE = pathlib.Path(__file__).resolve().parent


def load_pct():
    loader = importlib.machinery.SourceFileLoader("pct_standin", str(HERE / "pct"))
    spec = importlib.util.spec_from_loader("pct_standin", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


pct = load_pct()


def run_main(*argv):
    """(exit code, stdout, stderr) of the stand-in's main() for `pct ARGV`."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = pct.main(list(argv))
    return code, out.getvalue(), err.getvalue()


class Getopt(unittest.TestCase):
    def parse(self, command, *argv):
        c = pct.COMMANDS[command]
        return pct.getopt(list(argv), c.props, c.args)

    def test_positional_and_options_in_any_order(self):
        opts = self.parse("create", "--memory", "512", "101", "local:vztmpl/t.tar.zst",
                          "--hostname=web-1")
        self.assertEqual(opts, {"vmid": "101", "ostemplate": "local:vztmpl/t.tar.zst",
                                "memory": "512", "hostname": "web-1"})

    def test_single_dash_unique_abbreviation_and_case(self):
        opts = self.parse("create", "101", "t", "-mem", "256", "--HOSTNAME", "h")
        self.assertEqual(opts["memory"], "256")
        self.assertEqual(opts["hostname"], "h")

    def test_booleans_take_an_optional_value(self):
        self.assertEqual(self.parse("destroy", "101", "--force")["force"], "1")
        self.assertEqual(self.parse("destroy", "101", "--force", "0")["force"], "0")
        self.assertEqual(self.parse("destroy", "--purge", "yes", "101")["purge"], "1")
        opts = self.parse("destroy", "101", "--force", "--purge")
        self.assertEqual((opts["force"], opts["purge"]), ("1", "1"))
        with self.assertRaises(pct.ParamError) as e:
            self.parse("destroy", "101", "--force", "maybe")
        self.assertEqual(e.exception.message, "unable to parse boolean option")

    def test_a_mandatory_value_is_taken_even_when_it_looks_like_an_option(self):
        self.assertEqual(self.parse("create", "101", "t", "--hostname", "-x")["hostname"], "-x")

    def test_unknown_ambiguous_and_missing_values(self):
        for argv, warning in (
                (["101", "--bogus", "1"], "Unknown option: bogus\n"),
                (["101", "--s", "1"],
                 "Option s is ambiguous (searchdomain, skiplock, startup, swap)\n"),
                (["101", "--memory"], "Option memory requires an argument\n")):
            err = io.StringIO()
            with contextlib.redirect_stderr(err), self.assertRaises(pct.ParamError) as e:
                self.parse("set", *argv)
            self.assertEqual(e.exception.message, "unable to parse option")
            self.assertEqual(err.getvalue(), warning)

    def test_argument_counts(self):
        with self.assertRaises(pct.ParamError) as e:
            self.parse("create", "101")
        self.assertEqual(e.exception.message, "not enough arguments")
        with self.assertRaises(pct.ParamError) as e:
            self.parse("start", "101", "102")
        self.assertEqual(e.exception.message, "too many arguments")

    def test_exec_takes_everything_after_the_double_dash(self):
        opts = self.parse("exec", "101", "--", "ls", "-l", "--", "/")
        self.assertEqual(opts["extra-args"], ["ls", "-l", "--", "/"])
        self.assertEqual(self.parse("exec", "101")["extra-args"], [])

    def test_list_options_given_twice_are_joined(self):
        self.assertEqual(self.parse("set", "101", "--delete", "tags", "--delete", "onboot")
                         ["delete"], "tags,onboot")


class Validation(unittest.TestCase):
    def check(self, command, **params):
        with self.assertRaises(pct.ParamError) as e:
            pct.validate(pct.COMMANDS[command].props, params)
        return e.exception.errors

    def test_bounds_types_and_formats_in_pve_words(self):
        errors = self.check("create", vmid="101", ostemplate="t", memory="8", cores="two",
                            hostname="-bad", swap="-1")
        self.assertEqual(errors, {
            "memory": "value must have a minimum value of 16",
            "cores": "type check ('integer') failed - got 'two'",
            "hostname": "invalid format - value does not look like a valid DNS name\n",
            "swap": "value must have a minimum value of 0",
        })

    def test_vmid(self):
        self.assertEqual(self.check("start", vmid="99"),
                         {"vmid": "invalid format - value does not look like a valid VM ID\n"})
        self.assertEqual(self.check("start", vmid="x"),
                         {"vmid": "type check ('integer') failed - got 'x'"})

    def test_nested_property_string_errors(self):
        errors = self.check("set", vmid="101", net0="bridge=vmbr0,ip=10.0.0.300/24")
        self.assertEqual(errors["net0"],
                         "invalid format - format error\n"
                         "net0.ip: invalid format - value does not look like a valid ipv4 "
                         "network configuration\n\n"
                         "net0.name: property is missing and it is not optional\n")
        self.assertEqual(self.check("set", vmid="101", net0="name=eth0,colour=red")["net0"],
                         "invalid format - invalid key in comma-separated list property: "
                         "colour\n")

    def test_enumeration(self):
        errors = self.check("resize", vmid="101", disk="root", size="1G")
        self.assertTrue(errors["disk"].startswith(
            "value 'root' does not have a value in the enumeration 'rootfs, mp0, mp1, "))

    def test_error_text_as_pct_prints_it(self):
        code, out, err = run_main("set", "101", "--memory", "8", "--cores", "0")
        self.assertEqual(code, 255)
        self.assertEqual(out, "")
        self.assertEqual(err, "400 Parameter verification failed.\n"
                              "cores: value must have a minimum value of 1\n"
                              "memory: value must have a minimum value of 16\n"
                              "pct set <vmid> [OPTIONS]\n")

    def test_usage_lines(self):
        self.assertEqual(pct.COMMANDS["create"].usage(),
                         "pct create <vmid> <ostemplate> [OPTIONS]\n")
        self.assertEqual(pct.COMMANDS["exec"].usage(), "pct exec <vmid> [<extra-args>] [OPTIONS]\n")
        self.assertEqual(pct.COMMANDS["unlock"].usage(), "pct unlock <vmid>\n")
        self.assertEqual(pct.COMMANDS["list"].usage(), "pct list \n")

    def test_unknown_and_ambiguous_commands(self):
        code, _, err = run_main("st", "101")
        self.assertEqual(code, 255)
        self.assertTrue(err.startswith("ERROR: unknown command 'pct st'\n"
                                       "USAGE: pct <COMMAND> [ARGS] [OPTIONS]\n"))
        code, _, err = run_main("pull", "101", "/a", "/b")
        self.assertEqual((code, err), (255, "pct stand-in: 'pct pull' is not supported\n"))


class PropertyStrings(unittest.TestCase):
    def test_net_is_printed_required_keys_first_then_sorted(self):
        net = pct.parse_property_string(
            pct.NET_FORMAT, "type=veth,ip=10.0.0.5/24,bridge=vmbr0,name=eth0,gw=10.0.0.1,"
                            "hwaddr=BC:24:11:00:00:01,firewall=yes,tag=5")
        self.assertEqual(pct.print_property_string(pct.NET_FORMAT, net),
                         "name=eth0,bridge=vmbr0,firewall=1,gw=10.0.0.1,hwaddr=BC:24:11:00:00:01,"
                         "ip=10.0.0.5/24,tag=5,type=veth")

    def test_normalised_net_gains_type_and_a_proxmox_hwaddr(self):
        text = pct.normalise_net("name=eth0,bridge=vmbr0,ip=10.0.0.5/24,gw=10.0.0.1")
        self.assertRegex(text, r"^name=eth0,bridge=vmbr0,gw=10\.0\.0\.1,"
                               r"hwaddr=BC:24:11(:[0-9A-F]{2}){3},ip=10\.0\.0\.5/24,type=veth$")
        kept = pct.normalise_net("name=eth0,hwaddr=02:00:00:00:00:01")
        self.assertEqual(kept, "name=eth0,hwaddr=02:00:00:00:00:01,type=veth")

    def test_rootfs_volume_and_size(self):
        self.assertEqual(pct.new_rootfs(101, "local-lvm:4", "local"),
                         "local-lvm:vm-101-disk-0,size=4G")
        self.assertEqual(pct.new_rootfs(101, "8", "local-lvm"), "local-lvm:vm-101-disk-0,size=8G")
        self.assertEqual(pct.new_rootfs(101, "local-lvm:0.5,ro=1", "local"),
                         "local-lvm:vm-101-disk-0,ro=1,size=512M")
        with self.assertRaises(pct.ParamError) as e:
            pct.new_rootfs(101, "local:4", "local")
        self.assertEqual(e.exception.errors,
                         {"storage": "storage 'local' does not support container directories"})
        with self.assertRaisesRegex(pct.PctError, "^storage 'nas' does not exist$"):
            pct.new_rootfs(101, "nas:4", "local")
        with self.assertRaisesRegex(pct.PctError, "^unable to create volume of size 0$"):
            pct.new_rootfs(101, "local-lvm:0", "local")

    def test_sizes(self):
        self.assertEqual(pct.parse_size("1.5G"), 1536 * 1024 * 1024)
        self.assertIsNone(pct.parse_size("1g"))
        self.assertEqual([pct.format_size(s) for s in (1, 1024, 3 << 20, 4 << 30, 1 << 40)],
                         ["1", "1K", "3M", "4G", "1T"])

    def test_tags(self):
        self.assertEqual(pct.unique_tags("Zeta;alpha,ALPHA beta"), "alpha;beta;zeta")
        self.assertEqual(pct.unique_tags(" ; "), "")

    def test_features_sorted(self):
        f = pct.parse_property_string(pct.FEATURES_FORMAT, "nesting=1,keyctl=on")
        self.assertEqual(pct.print_property_string(pct.FEATURES_FORMAT, f), "keyctl=1,nesting=1")

    def test_push_modes_like_strtoul(self):
        self.assertEqual(pct.push_mode("644"), 0o644)
        self.assertEqual(pct.push_mode("0600"), 0o600)
        self.assertEqual(pct.push_mode("0x1a4"), 0o644)
        self.assertIsNone(pct.push_mode(None))
        with self.assertRaisesRegex(pct.PctError, r"^invalid mode: '0999'$"):
            pct.push_mode("999")


class Formats(unittest.TestCase):
    def setUp(self):
        self.tz = os.environ.get("TZ")
        os.environ["TZ"] = "UTC"
        time.tzset()

    def tearDown(self):
        if self.tz is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = self.tz
        time.tzset()

    def test_list(self):
        self.assertEqual(pct.format_list([]), "")
        self.assertEqual(
            pct.format_list([(1000, "stopped", "create", ""), (101, "running", "", "web-1")]),
            "VMID       Status     Lock         Name                \n"
            "101        running                 web-1               \n"
            "1000       stopped    create                           \n")

    def test_config(self):
        text = pct.format_config({"tags": "a;b", "arch": "amd64", "memory": "512",
                                  "description": "two\nlines: yes", "digest": "x"})
        self.assertEqual(text, "arch: amd64\n"
                               "description: two%0Alines%3A yes\n"
                               "memory: 512\n"
                               "tags: a;b\n")

    def test_config_file_round_trip(self):
        conf = pct.Config({"memory": "512", "description": "first\nsecond", "parent": "s1"},
                          {"s1": {"memory": "256", "snaptime": "1700000000",
                                  "description": "snap"}})
        text = pct.render_config(conf)
        self.assertEqual(text, "#first\n#second\nmemory: 512\nparent: s1\n\n"
                               "[s1]\n#snap\nmemory: 256\nsnaptime: 1700000000\n")
        again = pct.parse_config(text)
        self.assertEqual((again.values, again.snapshots), (conf.values, conf.snapshots))

    def test_snapshot_tree(self):
        conf = pct.Config({"parent": "b"}, {
            "a": {"snaptime": "1700000000"},
            "b": {"snaptime": "1700000060", "parent": "a", "description": "line one\nline two"},
        })
        self.assertEqual(
            pct.format_snapshot_tree(pct.snapshot_entries(conf)),
            "`-> a                           2023-11-14 22:13:20     no-description\n"
            " `-> b                          2023-11-14 22:14:20     line one\n"
            "  `-> current                                           You are here!\n")
        self.assertEqual(pct.format_snapshot_tree(pct.snapshot_entries(pct.Config())),
                         "`-> current                                             "
                         "You are here!\n")


class WithState(unittest.TestCase):
    """The parts that touch the state directory, without LXC."""

    def setUp(self):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="pct-unit-"))
        self.env = {"PCT_STANDIN_STATE": str(self.dir / "state"),
                    "PCT_STANDIN_BASE": str(self.dir / "base"), "PCT_STANDIN_NODE": "pve9"}
        self.saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        pct.S = pct.Settings()

    def tearDown(self):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_missing_ct(self):
        for argv in (["config", "101"], ["status", "101"], ["destroy", "101"],
                     ["exec", "101", "--", "true"], ["set", "101", "--onboot", "1"]):
            code, out, err = run_main(*argv)
            self.assertEqual((code, out), (255, ""), argv)
            self.assertEqual(err, "Configuration file 'nodes/pve9/lxc/101.conf' does not exist\n")

    def test_list_of_stopped_cts_and_config_and_unlock(self):
        pct.write_config(101, pct.Config({"hostname": "web-1", "memory": "512"}))
        pct.write_config(99999, pct.Config({"lock": "create"}))
        self.assertEqual(run_main("list"), (0, pct.format_list(
            [(101, "stopped", "", "web-1"), (99999, "stopped", "create", "")]), ""))
        self.assertEqual(run_main("config", "101"), (0, "hostname: web-1\nmemory: 512\n", ""))
        self.assertEqual(run_main("start", "99999"), (255, "", "CT is locked (create)\n"))
        self.assertEqual(run_main("unlock", "99999"), (0, "", ""))
        self.assertNotIn("lock", pct.load_config(99999).values)

    def test_set_normalises_and_checks(self):
        pct.write_config(101, pct.Config({"hostname": "a", "memory": "512", "rootfs": "x"}))
        self.assertEqual(run_main("set", "101", "--tags", "B;a;b", "--net0",
                                  "name=eth0,bridge=vmbr0", "--delete", "hostname")[0], 0)
        values = pct.load_config(101).values
        self.assertEqual(values["tags"], "a;b")
        self.assertNotIn("hostname", values)
        self.assertRegex(values["net0"], r"^name=eth0,bridge=vmbr0,hwaddr=BC:24:11:.*,type=veth$")
        self.assertEqual(run_main("set", "101", "--unprivileged", "0"),
                         (255, "", "unable to modify read-only option: 'unprivileged'\n"))
        self.assertEqual(run_main("set", "101", "--delete", "memory"),
                         (255, "", "unable to delete required option 'memory'\n"))
        self.assertEqual(run_main("set", "101"), (255, "", "no options specified\n"))

    def test_create_of_an_existing_vmid(self):
        pct.write_config(101, pct.Config({"hostname": "a"}))
        self.assertEqual(run_main("create", "101", "local:vztmpl/t.tar.zst"),
                         (255, "", "CT 101 already exists on node 'pve9'\n"))

    def test_config_lock_times_out_like_proxmox(self):
        path = self.dir / "state" / "lock" / "pve-config-101.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            err = io.StringIO()
            start = time.monotonic()
            with contextlib.redirect_stderr(err), \
                    self.assertRaisesRegex(pct.PctError, re.escape(
                        "can't lock file '/run/lock/lxc/pve-config-101.lock' - got timeout")):
                with pct.lock_config(101, timeout=0.3):
                    pass
            self.assertGreaterEqual(time.monotonic() - start, 0.3)
            self.assertEqual(err.getvalue(), "trying to acquire lock... failed\n")
        finally:
            os.close(fd)
        with pct.lock_config(101, timeout=0.3):
            pass  # free again

    def test_lxc_config_from_the_proxmox_config(self):
        text = pct.render_lxc_config(101, {
            "hostname": "web-1", "memory": "256", "swap": "0", "cores": "1",
            "net0": "name=eth0,bridge=vmbr9,hwaddr=BC:24:11:00:00:01,ip=10.0.0.5/24,gw=10.0.0.1,"
                    "type=veth"})
        lines = text.splitlines()
        for expected in (
                "lxc.uts.name = web-1",
                f"lxc.rootfs.path = overlay:{self.dir}/base:{self.dir}/state/lxc/101/upper",
                "lxc.net.0.link = vmbr9",
                "lxc.net.0.hwaddr = BC:24:11:00:00:01",
                "lxc.net.0.ipv4.address = 10.0.0.5/24 10.0.0.255",
                "lxc.net.0.ipv4.gateway = 10.0.0.1"):
            self.assertIn(expected, lines)
        self.assertTrue(any(re.fullmatch(r"lxc\.cgroup2?\.memory\.(limit_in_bytes|max) = "
                                         r"268435456", line) for line in lines), text)


if __name__ == "__main__":
    unittest.main()
