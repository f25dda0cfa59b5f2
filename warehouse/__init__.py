"""Performance-metrics warehouse for Police and Crime Panels (England and Wales).

The same functions run under Airflow (dags/), from the `pcp` command line and in tests.
"""

__version__ = "0.1.0"
