"""Cases for `cvisor compat --format=regrtest`: run as `python3 -m unittest -v`,
each prints the line unittest prints for it.  In the sandbox this program is
pid 1, which is how test_regresses tells the sides apart."""
import os
import unittest


class Cases(unittest.TestCase):
    def test_passes(self):
        self.assertTrue(True)

    def test_skips(self):
        self.skipTest("not here")

    def test_fails_everywhere(self):
        self.fail("always")

    def test_regresses(self):
        self.assertNotEqual(os.getpid(), 1)

    def test_prints_then_passes(self):
        print("some output of the test's own", flush=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
