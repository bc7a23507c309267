"""`python -m crm_projections`: the read-model builders."""

from crm_platform.process import serve

from crm_projections.app import create_app


def main() -> None:
    serve(create_app(), "CRM_PORT", 8102)


if __name__ == "__main__":
    main()
