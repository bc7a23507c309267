"""`python -m crm_contracts`: the contracts service (approval, plans, collections; relay to Kafka)."""

from crm_platform.process import serve

from crm_contracts.app import create_app

if __name__ == "__main__":
    serve(create_app(), "CRM_PORT", 8103)
