# SPDX-License-Identifier: BSL-1.0
"""CPython's own tests of tempfile.SpooledTemporaryFile (Lib/test/test_tempfile.py,
class TestSpooledTemporaryFile, from Debian's libpython3.11-testsuite), every
test method, run on bytesio.SpooledTemporaryFile: tempfile's name is pointed
at it for each test, since most of them call tempfile.SpooledTemporaryFile."""

import sys
import tempfile
import unittest

import bytesio
from test import test_tempfile

NOT_PASSED = {}


class BytesioSpooledTest(test_tempfile.TestSpooledTemporaryFile):
    def setUp(self):
        super().setUp()
        self._cpython_class = tempfile.SpooledTemporaryFile
        tempfile.SpooledTemporaryFile = bytesio.SpooledTemporaryFile

    def tearDown(self):
        tempfile.SpooledTemporaryFile = self._cpython_class
        super().tearDown()


for name, reason in NOT_PASSED.items():
    setattr(BytesioSpooledTest, name,
            unittest.expectedFailure(getattr(test_tempfile.TestSpooledTemporaryFile, name)))


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    methods = unittest.TestLoader().getTestCaseNames(BytesioSpooledTest)
    print(f"\nCPython test_tempfile.TestSpooledTemporaryFile on bytesio.SpooledTemporaryFile: "
          f"{len(methods)} methods, {result.testsRun} run, {len(result.failures)} failures, "
          f"{len(result.errors)} errors, {len(result.skipped)} skipped, "
          f"{len(result.expectedFailures)} expected failures")
    sys.exit(0 if result.wasSuccessful() and not result.skipped else 1)
