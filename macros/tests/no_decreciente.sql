{#- Generic data test: within each `partition_by` group, ordered by `order_by`, the column never falls from
    one row to the next (e.g. nominal minimum wages month after month). Returns the falling rows. -#}
{% test no_decreciente(model, column_name, partition_by, order_by) %}
    select *
    from (
        select
            {{ partition_by }},
            {{ order_by }},
            {{ column_name }} as valor,
            lag({{ column_name }}) over (partition by {{ partition_by }} order by {{ order_by }}) as anterior
        from {{ model }}
    )
    where valor < anterior
{% endtest %}
