-- Job and worker flows from the IMSS records (Davis-Haltiwanger job flows, Burgess-Lane-Stevens churning),
-- per month and nivel: 'nacional', 'entidad' (geo2) and 'sector' (scian2018_2, 31-33 and 48-49 as 31/48).
-- For month t (only when t-1 is loaded), over every registro in t or t-1 (an employer that closes
-- contributes its t-1 jobs; one that opens, its t jobs; dimensions from t, else from t-1):
--   empleo = jobs in t; empleo_anterior = jobs in t-1; empleo_promedio = their mean;
--   creacion = sum of positive changes of jobs per registro; destruccion = sum of negative changes;
--   contrataciones = NSS in the registro in t and not in t-1 (altas); separaciones = the reverse (bajas);
--   reasignacion_trabajadores = contrataciones + separaciones; reasignacion_empleos = creacion + destruccion;
--   churning = reasignacion_trabajadores - reasignacion_empleos (moves beyond what job changes need);
--   tasa_* = 100 x flow / empleo_promedio.
-- Identity checked by tests: contrataciones - separaciones = creacion - destruccion = empleo - empleo_anterior.
with
    registro_mes as (
        select
            cve_registro, periodo, geo2, scian2018_2, n_asegurados, altas, bajas, n_mes_anterior,
        from {{ ref('int_imss__registro_mes') }}
    ),

    meses as (
        select distinct periodo, from registro_mes
    ),

    meses_con_anterior as (
        select meses.periodo,
        from meses
        inner join meses as anteriores on anteriores.periodo = (meses.periodo - interval 1 month)::date
    ),

    actual as (
        select registro_mes.*,
        from registro_mes
        inner join meses_con_anterior on registro_mes.periodo = meses_con_anterior.periodo
    ),

    anterior as (
        select
            registro_mes.cve_registro,
            (registro_mes.periodo + interval 1 month)::date as periodo,
            registro_mes.geo2,
            registro_mes.scian2018_2,
            registro_mes.n_asegurados,
        from registro_mes
        inner join meses_con_anterior
            on (registro_mes.periodo + interval 1 month)::date = meses_con_anterior.periodo
    ),

    cambios as (
        select
            coalesce(actual.periodo, anterior.periodo) as periodo,
            coalesce(actual.geo2, anterior.geo2) as geo2,
            coalesce(actual.scian2018_2, anterior.scian2018_2) as scian2018_2,
            coalesce(actual.n_asegurados, 0) as empleo,
            coalesce(anterior.n_asegurados, 0) as empleo_anterior,
            -- a registro without a patrones row in t closed: all its t-1 jobs are separations
            coalesce(actual.altas, 0) as contrataciones,
            coalesce(actual.bajas, anterior.n_asegurados, 0) as separaciones,
        from actual
        full outer join anterior
            on actual.cve_registro = anterior.cve_registro and actual.periodo = anterior.periodo
    ),

    niveles as (
        select * from (values ('nacional', false, false), ('entidad', true, false), ('sector', false, true))
            as niveles (nivel, usa_geo2, usa_scian2)
    ),

    flujos as (
        select
            cambios.periodo,
            niveles.nivel,
            case when niveles.usa_geo2 then cambios.geo2 end as geo2,
            case when niveles.usa_scian2 then cambios.scian2018_2 end as scian2018_2,
            sum(cambios.empleo)::bigint as empleo,
            sum(cambios.empleo_anterior)::bigint as empleo_anterior,
            sum(greatest(cambios.empleo - cambios.empleo_anterior, 0))::bigint as creacion,
            sum(greatest(cambios.empleo_anterior - cambios.empleo, 0))::bigint as destruccion,
            sum(cambios.contrataciones)::bigint as contrataciones,
            sum(cambios.separaciones)::bigint as separaciones,
        from cambios
        cross join niveles
        group by all
    )

select
    strftime(periodo, '%Y-%m') as periodo,
    year(periodo)::integer as anio,
    month(periodo)::integer as mes,
    nivel,
    geo2,
    scian2018_2,
    empleo,
    empleo_anterior,
    (empleo + empleo_anterior) / 2 as empleo_promedio,
    creacion,
    destruccion,
    contrataciones,
    separaciones,
    contrataciones + separaciones as reasignacion_trabajadores,
    creacion + destruccion as reasignacion_empleos,
    contrataciones + separaciones - creacion - destruccion as churning,
    100 * creacion / nullif((empleo + empleo_anterior) / 2, 0) as tasa_creacion,
    100 * destruccion / nullif((empleo + empleo_anterior) / 2, 0) as tasa_destruccion,
    100 * contrataciones / nullif((empleo + empleo_anterior) / 2, 0) as tasa_contrataciones,
    100 * separaciones / nullif((empleo + empleo_anterior) / 2, 0) as tasa_separaciones,
    100 * (contrataciones + separaciones - creacion - destruccion) / nullif((empleo + empleo_anterior) / 2, 0)
        as tasa_churning,
    {{ columnas_trazabilidad() }}
from flujos
