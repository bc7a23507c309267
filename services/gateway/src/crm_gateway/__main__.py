"""`python -m crm_gateway`: the public API."""

from crm_platform.process import serve

from crm_gateway.app import create_app


def main() -> None:
    serve(create_app(), "CRM_GATEWAY_PORT", 8000)


if __name__ == "__main__":
    main()
