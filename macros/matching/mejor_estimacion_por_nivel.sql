{#- The matching rule of Module II, shared by the current (coyuntura) and the historical matching:
    for every row of `combinaciones` (columns geo2, geo5, scian2018_2, scian2018_3, cat_tamanio, plus the
    `llaves` columns, e.g. anio) and every indicator of `estimaciones` (same dimension columns, the same
    `llaves`, indicador, agregacion, valor, cv, supera_umbral_cv), the estimate of the most specific
    aggregation level (seed `niveles_agregacion`, precedence 1 = most specific) for which the
    combination has every dimension the level uses and the estimate is within its CV threshold; down
    to 0_geo0, which is used even when imprecise (flagged) so that nothing is left without a value. -#}
{% macro mejor_estimacion_por_nivel(combinaciones, estimaciones, llaves=[]) -%}
with niveles_matching as (
    select agregacion, precedencia, usa_geo2, usa_geo5, usa_scian2, usa_scian3, usa_tamanio,
    from {{ ref('niveles_agregacion') }}
),

llaves_por_nivel as (
    select
        {%- for llave in llaves %}
        c.{{ llave }},
        {%- endfor %}
        c.geo2 as ct_geo2,
        c.geo5 as ct_geo5,
        c.scian2018_2 as ct_scian2018_2,
        c.scian2018_3 as ct_scian2018_3,
        c.cat_tamanio as ct_cat_tamanio,
        n.agregacion,
        n.precedencia,
        case when n.usa_geo2 = 1 then c.geo2 end as geo2,
        case when n.usa_geo5 = 1 then c.geo5 end as geo5,
        case when n.usa_scian2 = 1 then c.scian2018_2 end as scian2018_2,
        case when n.usa_scian3 = 1 then c.scian2018_3 end as scian2018_3,
        case when n.usa_tamanio = 1 then c.cat_tamanio end as cat_tamanio,
    from {{ combinaciones }} as c
    cross join niveles_matching as n
    where (n.usa_geo2 = 0 or c.geo2 is not null)
        and (n.usa_geo5 = 0 or c.geo5 is not null)
        and (n.usa_scian2 = 0 or c.scian2018_2 is not null)
        and (n.usa_scian3 = 0 or c.scian2018_3 is not null)
        and (n.usa_tamanio = 0 or c.cat_tamanio is not null)
),

candidatas as (
    select
        {%- for llave in llaves %}
        k.{{ llave }},
        {%- endfor %}
        k.ct_geo2,
        k.ct_geo5,
        k.ct_scian2018_2,
        k.ct_scian2018_3,
        k.ct_cat_tamanio,
        e.indicador,
        k.agregacion,
        k.precedencia,
        e.valor,
        e.cv,
        e.supera_umbral_cv,
    from llaves_por_nivel as k
    inner join {{ estimaciones }} as e
        on k.agregacion = e.agregacion
        {%- for llave in llaves %}
        and k.{{ llave }} = e.{{ llave }}
        {%- endfor %}
        and k.geo2 is not distinct from e.geo2
        and k.geo5 is not distinct from e.geo5
        and k.scian2018_2 is not distinct from e.scian2018_2
        and k.scian2018_3 is not distinct from e.scian2018_3
        and k.cat_tamanio is not distinct from e.cat_tamanio
    where not e.supera_umbral_cv or k.agregacion = '0_geo0'
)

select
    {%- for llave in llaves %}
    {{ llave }},
    {%- endfor %}
    ct_geo2 as geo2,
    ct_geo5 as geo5,
    ct_scian2018_2 as scian2018_2,
    ct_scian2018_3 as scian2018_3,
    ct_cat_tamanio as cat_tamanio,
    indicador,
    -- Precise estimates first, then by precedence; the national estimate closes the list.
    arg_min(agregacion, [supera_umbral_cv::integer, precedencia]) as agregacion,
    arg_min(valor, [supera_umbral_cv::integer, precedencia]) as valor,
    arg_min(cv, [supera_umbral_cv::integer, precedencia]) as cv,
    bool_and(supera_umbral_cv) as usa_estimacion_imprecisa,
from candidatas
group by all
{%- endmacro %}
