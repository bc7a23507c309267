"""`python -m crm_leads`: the leads service (campaigns, leads, accounts; relay to Kafka)."""

from crm_platform.process import serve

from crm_leads.app import create_app

if __name__ == "__main__":
    serve(create_app(), "CRM_PORT", 8100)
