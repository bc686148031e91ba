{#- Generic data test: no two rows share the same values in `combination_of_columns`.
    Written here because dbt packages cannot be installed on these machines (no package hub). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set cols = combination_of_columns | join(", ") %}
    select {{ cols }}, count(*) as n_filas
    from {{ model }}
    group by {{ cols }}
    having count(*) > 1
{% endtest %}
