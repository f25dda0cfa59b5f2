"""Orchestrate: one build's path, the Airflow task bodies, alerts and held loads."""
