"""`python -m crm_opportunities`: the opportunities service (internal API + relay to Kafka)."""

import os

import uvicorn
from crm_platform.logs import configure_logging

from crm_opportunities.entrypoints.api import create_app


def main() -> None:
    configure_logging()
    uvicorn.run(
        create_app(),
        host=os.environ.get("CRM_HOST", "127.0.0.1"),
        port=int(os.environ.get("CRM_PORT", "8101")),
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
