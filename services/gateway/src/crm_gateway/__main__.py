"""`python -m crm_gateway`: the public API."""

import os

import uvicorn
from crm_platform.logs import configure_logging

from crm_gateway.app import create_app


def main() -> None:
    configure_logging()
    uvicorn.run(
        create_app(),
        host=os.environ.get("CRM_HOST", "127.0.0.1"),
        port=int(os.environ.get("CRM_GATEWAY_PORT", "8000")),
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
