"""cxassess: assess an organisation's customer-service strategy from a staff questionnaire."""

__version__ = "0.1.0"
