{#- Generic data test in the spirit of the SIDIL manual's `val_referencia`: fails (use severity warn)
    for every series whose value moves more than a tolerated share from the previous period present in
    the model. The series is sum(<column>) by `por` + `periodo` over the rows matching `filtro` (one row
    per period for an estimate, e.g. a national indicator; the weighted population for a survey sample).
    The tolerance is `tolerancia` (default var('val_referencia_tolerancia', 0.10)) or, when `catalogo` is
    given, its column `columna_tolerancia` joined on `llave_catalogo` (the indicator catalog's `referencia`).
    Returned rows: the series, the period, the previous period, both values and the relative change. -#}
{% test variacion_respecto_periodo_anterior(
    model, column_name, por=[], filtro='true', tolerancia=none, catalogo=none, llave_catalogo=none,
    columna_tolerancia='referencia'
) %}
    {%- set tol = tolerancia if tolerancia is not none else var('val_referencia_tolerancia', 0.10) -%}
    {%- set grupos = por + ['periodo'] -%}
    with

    serie as (
        select
            {{ grupos | join(', ') }},
            sum({{ column_name }}) as valor,
        from {{ model }}
        where {{ filtro }}
        group by {{ grupos | join(', ') }}
    ),

    con_anterior as (
        select
            *,
            lag(periodo) over (partition by {{ (por or ['1']) | join(', ') }} order by periodo) as periodo_anterior,
            lag(valor) over (partition by {{ (por or ['1']) | join(', ') }} order by periodo) as valor_anterior,
        from serie
    )

    select
        con_anterior.*,
        con_anterior.valor / nullif(con_anterior.valor_anterior, 0) - 1 as variacion,
    from con_anterior
    {%- if catalogo is not none %}
    inner join {{ catalogo }} as catalogo
        on con_anterior.{{ llave_catalogo }} = catalogo.{{ llave_catalogo }}
    {%- endif %}
    where con_anterior.valor_anterior is not null
        and abs(con_anterior.valor / nullif(con_anterior.valor_anterior, 0) - 1)
            > {% if catalogo is not none %}catalogo.{{ columna_tolerancia }}{% else %}{{ tol }}{% endif %}
{% endtest %}
