-- Reference-value alerts (the manual's `val_referencia`, spec 002 4.1.4.1-4.1.4.2, and the routine checks
-- of its Recuadro 4.1): one row per value that moved more than its rule tolerates from the previous
-- available period. Rules and tolerances: seed alertas_tolerancias.
--   Indicators: every ENOE quarterly estimate (int_enoe__indicadores) and every IMSS monthly estimate
--   before the moving average (int_imss__indicadores_mensuales), on every aggregation level, against the
--   previous period in which the same cell (level and keys) has a usable estimate: at least the rule's
--   min_observaciones (ENOE sample persons, IMSS registros) and a CV within the catalog's umbral_cv.
--   Sector copies (32, 33, 49 on levels with sector and no subsector) repeat the 31 / 48 estimate and are
--   left out. sindicato (first quarters only) and the yearly accident indicators compare with their
--   previous value, a year earlier.
--   Routine checks (national): ENOE persons in the survey universe and its expanded totals (all persons,
--   target population); IMSS registros and insured jobs, women's share of jobs with known sex and the
--   share of jobs in the northern border zone (zona_salarial from seed zlfn_municipios), in percent.
-- desviacion = valor / referencia - 1 (relativa) or valor - referencia (absoluta); an alert fires when
-- |desviacion| > tolerancia (the rule's, or the indicator catalog's `referencia` when the rule has none).
-- A relative check against a reference of 0 cannot be computed and never fires.
with

reglas as (
    select regla, fuente, alcance, tipo_tolerancia, tolerancia, min_observaciones,
    from {{ ref('alertas_tolerancias') }}
),

catalogo as (
    select indicador, umbral_cv, referencia as tolerancia_catalogo,
    from {{ ref('indicadores') }}
),

estimaciones as (
    select
        'enoe' as fuente,
        indicador,
        periodo,
        agregacion,
        geo2,
        geo5,
        scian2018_2,
        scian2018_3,
        cast(cat_tamanio as integer) as cat_tamanio,
        cast(valor as double) as valor,
        cv,
        cast(n_trabajadores as bigint) as n_observaciones,
    from {{ ref('int_enoe__indicadores') }}
    union all
    select
        'imss' as fuente,
        indicador,
        strftime(periodo, '%Y-%m') as periodo,
        agregacion,
        geo2,
        geo5,
        scian2018_2,
        scian2018_3,
        cast(cat_tamanio as integer) as cat_tamanio,
        cast(valor as double) as valor,
        cv,
        cast(n_registro as bigint) as n_observaciones,
    from {{ ref('int_imss__indicadores_mensuales') }}
),

estimaciones_utiles as (
    select
        reglas.regla,
        estimaciones.fuente,
        estimaciones.indicador,
        estimaciones.periodo,
        estimaciones.agregacion,
        estimaciones.geo2,
        estimaciones.geo5,
        estimaciones.scian2018_2,
        estimaciones.scian2018_3,
        estimaciones.cat_tamanio,
        estimaciones.valor,
        estimaciones.n_observaciones,
        reglas.tipo_tolerancia,
        coalesce(reglas.tolerancia, catalogo.tolerancia_catalogo) as tolerancia,
    from estimaciones
    inner join catalogo on estimaciones.indicador = catalogo.indicador
    inner join reglas
        on estimaciones.fuente = reglas.fuente
        and reglas.regla = estimaciones.fuente || '_indicador_'
            || case when estimaciones.agregacion = '0_geo0' then 'nacional' else 'desagregado' end
    where estimaciones.n_observaciones >= reglas.min_observaciones
        and coalesce(estimaciones.cv <= catalogo.umbral_cv, false)
        and not (estimaciones.scian2018_3 is null and coalesce(estimaciones.scian2018_2 in ('32', '33', '49'), false))
),

enoe_trimestres as (
    select
        periodo,
        count(*)::double as observaciones,
        sum(peso) as poblacion_expandida,
        coalesce(sum(peso) filter (where poblacion_objetivo), 0) as poblacion_objetivo_expandida,
    from {{ ref('int_enoe__universo') }}
    group by periodo
),

imss_meses as (
    select
        strftime(periodo, '%Y-%m') as periodo,
        count(*)::double as registros_patronales,
        sum(n_asegurados)::double as puestos_asegurados,
        100 * sum(n_mujeres) / nullif(sum(n_mujeres + n_hombres), 0) as participacion_mujeres,
        100 * coalesce(sum(n_asegurados) filter (where zona_salarial = 'frontera_norte'), 0)
            / nullif(sum(n_asegurados), 0) as participacion_frontera_norte,
    from {{ ref('int_imss__registro_mes') }}
    group by strftime(periodo, '%Y-%m')
),

rutinarias_largas as (
    select 'enoe' as fuente, 'enoe_observaciones' as regla, 'observaciones' as indicador, periodo,
        observaciones as valor,
    from enoe_trimestres
    union all
    select 'enoe', 'enoe_totales_expandidos', 'poblacion_expandida', periodo, poblacion_expandida,
    from enoe_trimestres
    union all
    select 'enoe', 'enoe_totales_expandidos', 'poblacion_objetivo_expandida', periodo, poblacion_objetivo_expandida,
    from enoe_trimestres
    union all
    select 'imss', 'imss_observaciones', 'registros_patronales', periodo, registros_patronales,
    from imss_meses
    union all
    select 'imss', 'imss_observaciones', 'puestos_asegurados', periodo, puestos_asegurados,
    from imss_meses
    union all
    select 'imss', 'imss_participacion_mujeres', 'participacion_mujeres', periodo, participacion_mujeres,
    from imss_meses
    union all
    select 'imss', 'imss_participacion_frontera_norte', 'participacion_frontera_norte', periodo,
        participacion_frontera_norte,
    from imss_meses
),

rutinarias as (
    select
        reglas.regla,
        rutinarias_largas.fuente,
        rutinarias_largas.indicador,
        rutinarias_largas.periodo,
        '0_geo0' as agregacion,
        null::varchar as geo2,
        null::varchar as geo5,
        null::varchar as scian2018_2,
        null::varchar as scian2018_3,
        null::integer as cat_tamanio,
        rutinarias_largas.valor,
        null::bigint as n_observaciones,
        reglas.tipo_tolerancia,
        reglas.tolerancia,
    from rutinarias_largas
    inner join reglas on rutinarias_largas.regla = reglas.regla
    where rutinarias_largas.valor is not null
),

series as (
    select
        regla, fuente, indicador, periodo, agregacion, geo2, geo5, scian2018_2, scian2018_3, cat_tamanio,
        valor, n_observaciones, tipo_tolerancia, tolerancia,
    from estimaciones_utiles
    union all
    select
        regla, fuente, indicador, periodo, agregacion, geo2, geo5, scian2018_2, scian2018_3, cat_tamanio,
        valor, n_observaciones, tipo_tolerancia, tolerancia,
    from rutinarias
),

comparadas as (
    select
        regla,
        fuente,
        indicador,
        periodo,
        agregacion,
        geo2,
        geo5,
        scian2018_2,
        scian2018_3,
        cat_tamanio,
        valor,
        n_observaciones,
        tipo_tolerancia,
        tolerancia,
        lag(periodo) over celda as periodo_referencia,
        lag(valor) over celda as referencia,
    from series
    window celda as (
        partition by regla, indicador, agregacion, geo2, geo5, scian2018_2, scian2018_3, cat_tamanio
        order by periodo
    )
),

desviaciones as (
    select
        *,
        case
            when tipo_tolerancia = 'relativa' then valor / nullif(referencia, 0) - 1
            else valor - referencia
        end as desviacion,
    from comparadas
    where referencia is not null
)

select
    periodo,
    fuente,
    regla,
    indicador,
    agregacion as nivel,
    coalesce(
        nullif(
            concat_ws(
                ', ',
                'geo2=' || geo2,
                'geo5=' || geo5,
                'scian2018_2=' || scian2018_2,
                'scian2018_3=' || scian2018_3,
                'cat_tamanio=' || cast(cat_tamanio as varchar)
            ),
            ''
        ),
        'nacional'
    ) as claves,
    geo2,
    geo5,
    scian2018_2,
    scian2018_3,
    cat_tamanio,
    valor,
    periodo_referencia,
    referencia,
    desviacion,
    tipo_tolerancia,
    tolerancia,
    n_observaciones,
from desviaciones
where abs(desviacion) > tolerancia
