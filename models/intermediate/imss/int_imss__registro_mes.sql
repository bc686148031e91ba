{{ incremental_por_periodo() }}
-- One row per registro patronal and month with everything the monthly nominative indicators need.
-- Incremental by month (the manual's `solo_adicionales`): a run recomputes only the months whose inputs
-- are new or were reloaded since the last run. A month's inputs are its patrones and puestos and the
-- previous month's puestos (turnover), so `insumo_cargado_en` = the latest `cargado_en` among them and a
-- reloaded month also recomputes the month after it. The last `imss_meses_recalculo` months (the manual's
-- look-back; default 0, see dbt_project.yml) are also recomputed on every run, changed or not.
-- `--full-refresh` rebuilds every month.
with
    cargas_puestos as (
        select periodo, max(cargado_en) as cargado_en,
        from {{ ref('stg_imss__puestos') }}
        group by periodo
    ),

    cargas_patrones as (
        select periodo, max(cargado_en) as cargado_en,
        from {{ ref('stg_imss__patrones') }}
        group by periodo
    ),

    meses_con_insumos as (
        select
            cargas_puestos.periodo,
            greatest(cargas_puestos.cargado_en, cargas_patrones.cargado_en, anterior.cargado_en)
                as insumo_cargado_en,
            anterior.periodo is not null as mes_anterior_disponible,
        from cargas_puestos
        inner join cargas_patrones on cargas_puestos.periodo = cargas_patrones.periodo
        left join cargas_puestos as anterior
            on anterior.periodo = (cargas_puestos.periodo - interval 1 month)::date
    ),

    meses as (
        select periodo, insumo_cargado_en, mes_anterior_disponible,
        from meses_con_insumos
        {% if is_incremental() %}
        where not exists (
            select 1
            from {{ this }} as calculado
            where calculado.periodo = meses_con_insumos.periodo
                and calculado.insumo_cargado_en >= meses_con_insumos.insumo_cargado_en
        )
            or periodo in ({{ imss_meses_recientes('meses_con_insumos') }})
        {% endif %}
    ),

    zona_salarial as (
        select cvegeo, 'frontera_norte' as zona, from {{ ref('zlfn_municipios') }}
    ),

    areas_urbanas as (
        select cvegeo, area_urbana_id, from {{ ref('areas_urbanas') }}
    ),

    -- The minimum wage in force in a month is the seed's latest value at or before that month.
    salario_minimo as (
        select
            meses.periodo,
            zonas.zona,
            arg_max(salarios.salario_diario, salarios.fecha) as salario_minimo,
        from meses
        cross join (select distinct zona from {{ ref('salarios_minimos_diarios') }}) as zonas
        inner join {{ ref('salarios_minimos_diarios') }} as salarios
            on salarios.zona = zonas.zona and salarios.fecha <= meses.periodo
        group by meses.periodo, zonas.zona
    ),

    patrones as (
        select
            patrones.cve_registro,
            patrones.periodo,
            patrones.geo2,
            patrones.geo5,
            {{ scian2_armonizado('patrones.scian2018_2', 'patrones.scian2018_3') }} as scian2018_2,
            patrones.scian2018_3,
            patrones.num_puestos,
            coalesce(zona_salarial.zona, 'general') as zona_salarial,
            salario_minimo.salario_minimo,
            coalesce(areas_urbanas.area_urbana_id, patrones.geo5) as area_urbana,
            meses.mes_anterior_disponible,
            meses.insumo_cargado_en,
        from {{ ref('stg_imss__patrones') }} as patrones
        inner join meses on patrones.periodo = meses.periodo
        left join zona_salarial on patrones.geo5 = zona_salarial.cvegeo
        left join areas_urbanas on coalesce(patrones.geo5, patrones.geo2) = areas_urbanas.cvegeo
        left join salario_minimo
            on patrones.periodo = salario_minimo.periodo
            and coalesce(zona_salarial.zona, 'general') = salario_minimo.zona
    ),

    puestos_actual as (
        select puestos.cve_registro, puestos.periodo, puestos.nss_hash, puestos.sexo, puestos.salario_diario,
        from {{ ref('stg_imss__puestos') }} as puestos
        inner join meses on puestos.periodo = meses.periodo
    ),

    -- The previous month's jobs, dated to the month they are compared with.
    puestos_anterior as (
        select puestos.cve_registro, meses.periodo, puestos.nss_hash,
        from {{ ref('stg_imss__puestos') }} as puestos
        inner join meses on puestos.periodo = (meses.periodo - interval 1 month)::date
    ),

    salarios as (
        select
            puestos_actual.cve_registro,
            puestos_actual.periodo,
            count(*) as n_asegurados,
            count(*) filter (where puestos_actual.sexo = 2) as n_mujeres,
            count(*) filter (where puestos_actual.sexo = 1) as n_hombres,
            avg(puestos_actual.salario_diario) filter (where puestos_actual.sexo = 2) as salario_medio_mujeres,
            avg(puestos_actual.salario_diario) filter (where puestos_actual.sexo = 1) as salario_medio_hombres,
            count(*) filter (
                where puestos_actual.salario_diario <= 1.05 * patrones.salario_minimo
            ) as n_hasta_105_minimo,
        from puestos_actual
        inner join patrones
            on puestos_actual.cve_registro = patrones.cve_registro
            and puestos_actual.periodo = patrones.periodo
        group by puestos_actual.cve_registro, puestos_actual.periodo
    ),

    movimientos as (
        select
            coalesce(puestos_actual.cve_registro, puestos_anterior.cve_registro) as cve_registro,
            coalesce(puestos_actual.periodo, puestos_anterior.periodo) as periodo,
            count(puestos_actual.nss_hash) filter (where puestos_anterior.nss_hash is null) as altas,
            count(puestos_anterior.nss_hash) filter (where puestos_actual.nss_hash is null) as bajas,
            count(puestos_anterior.nss_hash) as n_mes_anterior,
        from puestos_actual
        full outer join puestos_anterior
            on puestos_actual.cve_registro = puestos_anterior.cve_registro
            and puestos_actual.periodo = puestos_anterior.periodo
            and puestos_actual.nss_hash = puestos_anterior.nss_hash
        group by 1, 2
    ),

    registro_mes as (
        select
            patrones.cve_registro,
            patrones.periodo,
            patrones.geo2,
            patrones.geo5,
            patrones.scian2018_2,
            patrones.scian2018_3,
            patrones.area_urbana,
            patrones.zona_salarial,
            patrones.salario_minimo,
            patrones.num_puestos,
            coalesce(salarios.n_asegurados, 0) as n_asegurados,
            coalesce(salarios.n_mujeres, 0) as n_mujeres,
            coalesce(salarios.n_hombres, 0) as n_hombres,
            salarios.salario_medio_mujeres,
            salarios.salario_medio_hombres,
            coalesce(salarios.n_hasta_105_minimo, 0) as n_hasta_105_minimo,
            case when patrones.mes_anterior_disponible then coalesce(movimientos.altas, 0) end as altas,
            case when patrones.mes_anterior_disponible then coalesce(movimientos.bajas, 0) end as bajas,
            case
                when patrones.mes_anterior_disponible then coalesce(movimientos.n_mes_anterior, 0)
            end as n_mes_anterior,
            patrones.insumo_cargado_en,
        from patrones
        left join salarios
            on patrones.cve_registro = salarios.cve_registro and patrones.periodo = salarios.periodo
        left join movimientos
            on patrones.cve_registro = movimientos.cve_registro and patrones.periodo = movimientos.periodo
    )

select
    registro_mes.cve_registro,
    registro_mes.periodo,
    registro_mes.geo2,
    registro_mes.geo5,
    registro_mes.scian2018_2,
    registro_mes.scian2018_3,
    tamanios.cat_tamanio,
    registro_mes.area_urbana,
    registro_mes.zona_salarial,
    registro_mes.salario_minimo,
    registro_mes.num_puestos,
    registro_mes.n_asegurados,
    registro_mes.n_mujeres,
    registro_mes.n_hombres,
    registro_mes.salario_medio_mujeres,
    registro_mes.salario_medio_hombres,
    registro_mes.n_hasta_105_minimo,
    registro_mes.altas,
    registro_mes.bajas,
    registro_mes.n_mes_anterior,
    case
        when registro_mes.area_urbana is not null and registro_mes.scian2018_3 is not null
            then sum(registro_mes.n_asegurados) over (
                partition by registro_mes.periodo, registro_mes.area_urbana, registro_mes.scian2018_3
            )
    end as n_asegurados_mercado,
    registro_mes.insumo_cargado_en,
from registro_mes
left join {{ ref('tamanios') }} as tamanios
    on registro_mes.n_asegurados >= tamanios.trabajadores_min
    and (tamanios.trabajadores_max is null or registro_mes.n_asegurados <= tamanios.trabajadores_max)
