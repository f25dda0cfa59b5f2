"""Transform: dbt run in-process on the working file, and which nodes a build must rebuild."""
