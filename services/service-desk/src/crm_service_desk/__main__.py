"""`python -m crm_service_desk`: the service desk (tickets, SLA, care; relay to Kafka)."""

from crm_platform.process import serve

from crm_service_desk.app import create_app

if __name__ == "__main__":
    serve(create_app(), "CRM_PORT", 8104)
