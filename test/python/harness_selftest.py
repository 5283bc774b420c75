"""
Checks scenario.py and the harness (test/node/python-harness.test.ts): steps that return, raise
or hang are recorded as such, the token lands in the isolated HOME's token storage, and the
environment is the harness's own.
"""

import os
import sys
import threading

from scenario import Scenario

sc = Scenario("harness_selftest", argv=sys.argv[1:])
sc.step("returns", lambda: {"bytes": b"\x00ab", "nan": float("nan"), "tuple": (1, 2)})
sc.step("raises", lambda: 1 / 0)
sc.step("hangs", lambda: threading.Event().wait())
sc.note("home", os.environ["HOME"])
sc.note("ml_dash_env", sorted(k for k in os.environ if k.startswith("ML_DASH") and k != "ML_DASH_STEP_TIMEOUT"))
from ml_dash.auth.token_storage import get_token_storage  # noqa: E402

sc.step("token", lambda: [type(get_token_storage()).__name__, get_token_storage().load("ml-dash-token")])
sc.step("ml_dash_version", lambda: __import__("ml_dash").__version__)
print("noise after the steps")
sc.finish()
