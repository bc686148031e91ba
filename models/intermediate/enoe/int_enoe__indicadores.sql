{{ incremental_por_periodo(periodos_vigentes="select periodo from {{ ref('int_enoe__universo') }}") }}
-- The eleven SIDIL ENOE indicators for every loaded quarter on the 12 ENOE aggregation levels, with
-- survey CVs (DOMAIN.md sections 2-4). Shape: DOMAIN.md section 3 columns + supera_umbral_cv.
--  * Domain of every indicator: the target population (employed, paid subordinate) with a non-NULL value
--    of the indicator and the dimensions its level uses; estimated inside the full universe sample.
--  * Mean-type indicators (tipo_estimador = 'media' in the catalog): weighted mean of the recoded
--    variable (int_enoe__universo); estimates of exactly 0 or 1 are dropped.
--  * brecha_gen (tipo_estimador = 'razon_de_medias'): mean monthly income (> 0) of women / of men.
--  * Variance: Taylor linearisation, ultimate cluster (macro razon_linealizada); cv in percent, NULL
--    when the domain's persons sit in a single PSU; supera_umbral_cv = cv > umbral_cv or cv NULL.
--  * Sectors: scian2018_2 is harmonised ('31' for 31-33, '48' for 48-49) before estimating; after
--    estimating, rows of levels with sector but no subsector are copied to '32', '33' and '49'.
--  * Memory: under the pipeline's one DuckDB ceiling (SIDIL_MEMORIA; it spills to disk beyond it), with
--    insertion order not preserved while it runs, which lets DuckDB stream the wide aggregation.
--  * Incremental by quarter: a run recomputes only the quarters that int_enoe__universo or
--    int_enoe__diseno_muestral computed after this table did (their calculado_en newer than the quarter's
--    fecha_calculo here: both are the start of the dbt run), i.e. quarters whose SDEM/COE1 were landed or
--    replaced, and deletes the quarters no longer in int_enoe__universo. The seeds read here (indicator
--    catalog, aggregation levels) are not watched: after a seed or code change the orchestrator
--    (sidil/pipeline.py) runs this model with --full-refresh.
{{ config(
    pre_hook=["set preserve_insertion_order = false"],
    post_hook=["reset preserve_insertion_order"],
) }}
{%- set medias = indicadores_del_catalogo('enoe', 'media') %}
with

-- The quarters to compute in this run (every quarter outside an incremental run).
trimestres as (
    {{ meses_a_recalcular(ref('int_enoe__universo'), 'calculado_en', 'fecha_calculo') }}
    union
    {{ meses_a_recalcular(ref('int_enoe__diseno_muestral'), 'calculado_en', 'fecha_calculo') }}
),

universo as (
    select
        periodo,
        peso,
        estrato,
        upm,
        poblacion_objetivo,
        geo2,
        scian2018_2,
        scian2018_3,
        cat_tamanio,
        sexo,
        {%- for indicador in medias %}
        cast({{ indicador }} as double) as {{ indicador }},
        {%- endfor %}
        ing_x_mes as ingreso_brecha,
    from {{ ref('int_enoe__universo') }}
    where periodo in (select periodo from trimestres)
),

catalogo as (
    select
        indicador,
        tipo_estimador,
        umbral_cv,
        -- Small integer code of the indicator, used only inside the domain key.
        row_number() over (order by indicador) as indicador_id,
    from {{ ref('indicadores') }}
    where fuente = 'enoe'
),

niveles as (
    select
        agregacion,
        agregacion_numerica,
        usa_geo2,
        usa_scian2,
        usa_scian3,
        usa_tamanio,
    from {{ ref('niveles_agregacion') }}
    where aplica_enoe = 1
),

-- Design of the full sample (int_enoe__diseno_muestral): integer keys and PSUs per stratum.
{{ diseno_muestral_ctes() }},

-- Mean-type indicators: one row per target person and indicator with a value (unpivot drops NULLs).
valores_media as (
    unpivot (
        select
            periodo, peso, estrato, upm, geo2, scian2018_2, scian2018_3, cat_tamanio,
            {{ medias | join(', ') }},
        from universo
        where poblacion_objetivo
    )
    on {{ medias | join(', ') }}
    into name indicador value valor
),

unidades_media as (
    select
        periodo, peso, estrato, upm, geo2, scian2018_2, scian2018_3, cat_tamanio,
        indicador,
        valor as y1,
        1.0 as x1,
        1.0 as y2,
        1.0 as x2,
    from valores_media
),

-- Gender gap: R1 = women's mean income, R2 = men's, over target persons with income > 0.
unidades_brecha as (
    select
        universo.periodo, universo.peso, universo.estrato, universo.upm,
        universo.geo2, universo.scian2018_2, universo.scian2018_3, universo.cat_tamanio,
        catalogo.indicador,
        case when universo.sexo = 2 then universo.ingreso_brecha else 0 end as y1,
        case when universo.sexo = 2 then 1.0 else 0 end as x1,
        case when universo.sexo = 1 then universo.ingreso_brecha else 0 end as y2,
        case when universo.sexo = 1 then 1.0 else 0 end as x2,
    from universo
    inner join catalogo
        on catalogo.tipo_estimador = 'razon_de_medias'
    where universo.poblacion_objetivo
        and universo.ingreso_brecha is not null
        and universo.sexo in (1, 2)
),

unidades as (
    select * from unidades_media
    union all
    select * from unidades_brecha
),

-- Weighted sums per PSU and finest cell (the linearised variable is linear in these sums, so every
-- level is built from them): one pass over the persons instead of one per level.
celdas as (
    select
        periodos.periodo_id,
        catalogo.indicador_id,
        estratos.estrato_id,
        upms.upm_id,
        unidades.geo2,
        unidades.scian2018_2,
        unidades.scian2018_3,
        unidades.cat_tamanio,
        count(*) as n,
        sum(unidades.peso * unidades.y1) as wy1,
        sum(unidades.peso * unidades.x1) as wx1,
        sum(unidades.peso * unidades.y2) as wy2,
        sum(unidades.peso * unidades.x2) as wx2,
    from unidades
    inner join catalogo
        on unidades.indicador = catalogo.indicador
    {{ unir_diseno_muestral('unidades') }}
    group by all
),

-- Every level of the seed: dimensions the level does not use are masked (code 0 in the key, NULL in
-- the output); cells without a dimension the level uses are outside that level's domains. The domain
-- key packs quarter, indicator, level and dimensions into digits of one integer:
--   periodo_id · 10^13 + indicador_id · 10^11 + agregacion_numerica · 10^8 + geo2 · 10^6
--   + scian2018_2 · 10^4 + scian2018_3 · 10 + cat_tamanio.
celdas_por_nivel as (
    select
        cast(celdas.periodo_id as bigint) * 10000000000000
        + celdas.indicador_id * 100000000000
        + cast(niveles.agregacion_numerica as bigint) * 100000000
        + case when niveles.usa_geo2 = 1 then cast(celdas.geo2 as bigint) else 0 end * 1000000
        + case when niveles.usa_scian2 = 1 then cast(celdas.scian2018_2 as bigint) else 0 end * 10000
        + case when niveles.usa_scian3 = 1 then cast(celdas.scian2018_3 as bigint) else 0 end * 10
        + case when niveles.usa_tamanio = 1 then celdas.cat_tamanio else 0 end as dominio_id,
        celdas.estrato_id,
        celdas.upm_id,
        celdas.n,
        celdas.wy1,
        celdas.wx1,
        celdas.wy2,
        celdas.wx2,
    from celdas
    cross join niveles
    where (niveles.usa_geo2 = 0 or celdas.geo2 is not null)
        and (niveles.usa_scian2 = 0 or celdas.scian2018_2 is not null)
        and (niveles.usa_scian3 = 0 or celdas.scian2018_3 is not null)
        and (niveles.usa_tamanio = 0 or celdas.cat_tamanio is not null)
),

estimaciones as (
    {{ razon_linealizada('celdas_por_nivel', 'estratos') }}
),

-- Unpack the domain key back into the output dimensions.
dominios as (
    select
        estimaciones.*,
        estimaciones.dominio_id // 10000000000000 as periodo_id,
        estimaciones.dominio_id // 100000000000 % 100 as indicador_id,
        estimaciones.dominio_id // 100000000 % 1000 as agregacion_numerica,
        nullif(estimaciones.dominio_id // 1000000 % 100, 0) as geo2_num,
        nullif(estimaciones.dominio_id // 10000 % 100, 0) as scian2018_2_num,
        nullif(estimaciones.dominio_id // 10 % 1000, 0) as scian2018_3_num,
        nullif(estimaciones.dominio_id % 10, 0) as cat_tamanio,
    from estimaciones
),

depuradas as (
    select
        periodos.periodo,
        catalogo.indicador,
        niveles.agregacion,
        niveles.agregacion_numerica,
        lpad(cast(dominios.geo2_num as varchar), 2, '0') as geo2,
        lpad(cast(dominios.scian2018_2_num as varchar), 2, '0') as scian2018_2,
        cast(dominios.scian2018_3_num as varchar) as scian2018_3,
        cast(dominios.cat_tamanio as integer) as cat_tamanio,
        dominios.estimacion as valor,
        -- A domain whose persons all sit in one PSU has no estimable variance: its CV is NULL (low
        -- quality, above any threshold) instead of a misleading 0.
        case when dominios.n_upm_dominio >= 2 then dominios.cv end as cv,
        dominios.n_muestra,
        catalogo.umbral_cv,
    from dominios
    inner join periodos
        on dominios.periodo_id = periodos.periodo_id
    inner join catalogo
        on dominios.indicador_id = catalogo.indicador_id
    inner join niveles
        on dominios.agregacion_numerica = niveles.agregacion_numerica
    where not (catalogo.tipo_estimador = 'media' and dominios.estimacion in (0, 1))
),

con_sectores_compuestos as (
    {{ copiar_sectores_compuestos('depuradas') }}
)

select
    'enoe' as fuente,
    indicador,
    periodo,
    cast(left(periodo, 4) as integer) as anio,
    3 * cast(right(periodo, 1) as integer) as mes,
    agregacion,
    agregacion_numerica,
    geo2,
    cast(null as varchar) as geo5,
    scian2018_2,
    scian2018_3,
    cat_tamanio,
    valor,
    cv,
    cast(null as bigint) as n_registro,
    n_muestra as n_trabajadores,
    {{ grupo_calidad_info1('cv') }} as grupo_calidad_info1,
    {{ grupo_calidad_info2('cv') }} as grupo_calidad_info2,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as fecha_calculo,
    '{{ this.name }}' as script_calculo,
    '{{ target.get("user") or "sidil" }}' as usuario,
    coalesce(cv > umbral_cv, true) as supera_umbral_cv,
from con_sectores_compuestos
