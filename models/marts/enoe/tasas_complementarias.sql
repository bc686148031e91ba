-- INEGI's eight complementary employment rates (seed enoe_tasas_complementarias) per quarter, for the
-- country, each state (geo2) and each self-represented city (ENOE cd_a other than '96', the rest of the
-- state), in percent, with survey CVs. Each rate is a ratio Σ w·[numerator] / Σ w·[denominator] over the
-- survey universe (int_enoe__universo: r_def 0, usual residents, age 15-98), estimated as a domain (the
-- denominator population of the area) inside the full sample; variance by Taylor linearisation (macro
-- razon_linealizada), CV NULL when the domain's persons sit in a single PSU.
{%- set tasas = [] %}
{%- if execute %}
    {%- set tasas = run_query(
        "select tasa, numerador, denominador from " ~ ref('enoe_tasas_complementarias') ~ " order by orden"
    ).rows %}
{%- endif %}
with

universo as (
    select
        periodo,
        peso,
        estrato,
        upm,
        geo2,
        cd_a,
        clase1,
        clase2,
        dur9c,
        tpg_p8a,
        remune2c,
        sub_o,
        tcco,
        emp_ppal,
        tue2,
    from {{ ref('int_enoe__universo') }}
),

catalogo as (
    select
        tasa,
        etiqueta,
        menor_es_mejor,
        orden,
    from {{ ref('enoe_tasas_complementarias') }}
),

-- Design of the full sample (int_enoe__diseno_muestral): integer keys and PSUs per stratum.
{{ diseno_muestral_ctes() }},

-- One row per person and rate whose denominator includes the person: y1 = 1 when in the numerator.
unidades as (
    {%- for tasa in tasas %}
    select
        periodo, peso, estrato, upm, geo2, cd_a,
        '{{ tasa["tasa"] }}' as tasa,
        case when {{ tasa["numerador"] }} then 1.0 else 0.0 end as y1,
    from universo
    where {{ tasa["denominador"] }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if not tasas %}
    select null as periodo where false
    {%- endif %}
),

-- Areas: 1 national (key 0), 2 state (geo2), 3 self-represented city (cd_a).
ambitos as (
    select * from (values (1, 'nacional'), (2, 'entidad'), (3, 'ciudad')) as a (ambito_id, ambito)
),

-- Weighted sums per PSU and area; domain key = periodo_id · 10^5 + orden · 10^3 + ambito_id · 10^2 + area.
unidades_por_ambito as (
    select
        periodos.periodo_id * 100000
        + catalogo.orden * 1000
        + ambitos.ambito_id * 100
        + case ambitos.ambito_id
            when 2 then cast(unidades.geo2 as integer)
            when 3 then cast(unidades.cd_a as integer)
            else 0
        end as dominio_id,
        estratos.estrato_id,
        upms.upm_id,
        count(*) as n,
        sum(unidades.peso * unidades.y1) as wy1,
        sum(unidades.peso) as wx1,
        sum(unidades.peso) as wy2,
        sum(unidades.peso) as wx2,
    from unidades
    inner join catalogo
        on unidades.tasa = catalogo.tasa
    {{ unir_diseno_muestral('unidades') }}
    cross join ambitos
    where ambitos.ambito <> 'ciudad' or unidades.cd_a <> '96'
    group by all
),

estimaciones as (
    {{ razon_linealizada('unidades_por_ambito', 'estratos') }}
)

select
    periodos.periodo,
    cast(left(periodos.periodo, 4) as integer) as anio,
    cast(right(periodos.periodo, 1) as integer) as trimestre,
    ambitos.ambito,
    case when ambitos.ambito = 'entidad' then lpad(cast(estimaciones.dominio_id % 100 as varchar), 2, '0') end
        as geo2,
    case when ambitos.ambito = 'ciudad' then lpad(cast(estimaciones.dominio_id % 100 as varchar), 2, '0') end
        as cd_a,
    catalogo.tasa,
    catalogo.etiqueta,
    catalogo.menor_es_mejor = 1 as menor_es_mejor,
    100 * estimaciones.estimacion as valor,
    case when estimaciones.n_upm_dominio >= 2 then estimaciones.cv end as cv,
    {{ grupo_calidad_info1('case when estimaciones.n_upm_dominio >= 2 then estimaciones.cv end') }}
        as grupo_calidad_info1,
    estimaciones.n_muestra,
    estimaciones.y1_total as numerador_expandido,
    estimaciones.x1_total as denominador_expandido,
from estimaciones
inner join periodos
    on estimaciones.dominio_id // 100000 = periodos.periodo_id
inner join catalogo
    on estimaciones.dominio_id // 1000 % 100 = catalogo.orden
inner join ambitos
    on estimaciones.dominio_id // 100 % 10 = ambitos.ambito_id
