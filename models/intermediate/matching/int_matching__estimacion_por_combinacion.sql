-- For every combination of CT dimensions and every indicator of the current period, the estimate of the
-- most specific usable aggregation level (the shared rule in macros/matching/mejor_estimacion_por_nivel).
with combinaciones as (
    select * from {{ ref('int_matching__combinaciones_ct') }}
),

estimaciones as (
    select
        indicador,
        agregacion,
        geo2,
        geo5,
        scian2018_2,
        scian2018_3,
        cat_tamanio,
        valor,
        cv,
        supera_umbral_cv,
    from {{ ref('int_indicadores__coyuntura') }}
),

mejor as (
    {{ mejor_estimacion_por_nivel('combinaciones', 'estimaciones') }}
)

select * from mejor
