"""`python -m crm_projections`: the read-model builders."""

import os

import uvicorn
from crm_platform.logs import configure_logging

from crm_projections.app import create_app


def main() -> None:
    configure_logging()
    uvicorn.run(
        create_app(),
        host=os.environ.get("CRM_HOST", "127.0.0.1"),
        port=int(os.environ.get("CRM_PORT", "8102")),
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
