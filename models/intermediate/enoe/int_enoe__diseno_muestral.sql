{{ incremental_por_periodo(
    periodos_vigentes="select periodo from {{ ref('stg_enoe__sdem') }} where true {{ enoe_periodos_filtro() }}"
) }}
-- The ENOE sample design as the variance macros need it: one row per quarter, stratum and PSU of the
-- WHOLE sample, with integer keys (periodo_id, estrato_id, upm_id) and the PSUs of its stratum (n_upm,
-- for the ultimate-cluster variance and the lonely-PSU rule). Shared by every ENOE estimate with a CV.
-- Built from every SDEM row of the quarter (stg_enoe__sdem, before any r_def / c_res / eda filter):
-- DOMAIN.md "never filter the sample before the design", so a PSU without an interviewed adult (all its
-- rows r_def <> 0, or only children or non-residents) still counts among its stratum's PSUs. The
-- estimates themselves stay on the survey universe (int_enoe__universo); such a PSU enters them with
-- a linearised total of 0. Rows without a stratum or PSU code cannot place a PSU and are left out.
-- Incremental by quarter: a run recomputes only the quarters whose SDEM was landed or replaced since
-- (insumo_cargado_en = the latest cargado_en of the quarter's SDEM rows; calculado_en = the run that
-- computed the quarter, which int_enoe__indicadores compares with its own), and deletes the quarters
-- whose SDEM is gone. The keys are built from the quarter alone (periodo_id = year·10 + quarter; strata
-- and PSUs numbered within the quarter, offset by periodo_id), so a quarter's keys do not move when
-- another quarter is added. Seeds are not read here; a code change is run with --full-refresh by the
-- orchestrator (sidil/pipeline.py).
with

cargas as (
    select periodo, max(cargado_en) as insumo_cargado_en,
    from {{ ref('stg_enoe__sdem') }}
    where true {{ enoe_periodos_filtro() }}
    group by periodo
),

trimestres as (
    select periodo, insumo_cargado_en,
    from cargas
    {%- if is_incremental() %}
    where not exists (
        select 1
        from {{ this }} as calculado
        where calculado.periodo = cargas.periodo
            and calculado.insumo_cargado_en >= cargas.insumo_cargado_en
    )
    {%- endif %}
),

upms as (
    select distinct sdem.periodo, sdem.estrato, sdem.upm,
    from {{ ref('stg_enoe__sdem') }} as sdem
    inner join trimestres
        on sdem.periodo = trimestres.periodo
    where sdem.estrato is not null
        and sdem.upm is not null
),

con_periodo as (
    select
        upms.periodo,
        cast(left(upms.periodo, 4) as bigint) * 10 + cast(right(upms.periodo, 1) as bigint) as periodo_id,
        upms.estrato,
        upms.upm,
        trimestres.insumo_cargado_en,
    from upms
    inner join trimestres
        on upms.periodo = trimestres.periodo
)

select
    periodo,
    periodo_id,
    estrato,
    periodo_id * 1000000 + dense_rank() over (partition by periodo order by estrato) as estrato_id,
    count(*) over (partition by periodo, estrato) as n_upm,
    upm,
    periodo_id * 100000000 + row_number() over (partition by periodo order by upm) as upm_id,
    insumo_cargado_en,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as calculado_en,
from con_periodo
