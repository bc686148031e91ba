{#- The database relation of a seed, resolved from the project graph rather than through ref(), so that
    run_query reads the real catalog even inside a dbt unit test (where ref() points at a fixture CTE
    and the graph is not available: there the seed schema of dbt_project.yml, `staging`, is used).
    Models that read a seed this way declare the dependency with `-- depends_on: {{ ref('<seed>') }}`. -#}
{% macro relacion_de_seed(nombre) -%}
    {%- set nodo = (graph.get('nodes') or {}).get('seed.' ~ project_name ~ '.' ~ nombre) -%}
    {%- if nodo -%}
        {{ return(api.Relation.create(database=nodo.database, schema=nodo.schema, identifier=nodo.alias)) }}
    {%- else -%}
        {{ return(api.Relation.create(database=target.database, schema='staging', identifier=nombre)) }}
    {%- endif -%}
{%- endmacro %}
