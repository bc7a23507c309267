"""`python -m crm_opportunities`: the opportunities service (internal API, relay to Kafka)."""

from crm_platform.process import serve

from crm_opportunities.app import create_app

if __name__ == "__main__":
    serve(create_app(), "CRM_PORT", 8101)
