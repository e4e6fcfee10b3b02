"""``python -m bench.serve_engine``: one ``serve`` process as the CLI runs it, for W2.

Configured by the ``TASKTRAIL_*`` environment like ``tasktrail serve``; stops on SIGTERM. W2
starts engines through this rather than the CLI so that it measures the server alone.
"""

from __future__ import annotations

from tasktrail.runners.bootstrap import build_runtime
from tasktrail.runners.serve import serve
from tasktrail.runners.settings import Settings

if __name__ == "__main__":
    serve(build_runtime(Settings()))
