-- The ENOE sample design as the variance macros need it: one row per quarter, stratum and PSU of the
-- WHOLE sample, with integer keys (periodo_id, estrato_id, upm_id) and the PSUs of its stratum (n_upm,
-- for the ultimate-cluster variance and the lonely-PSU rule). Shared by every ENOE estimate with a CV.
-- Built from every SDEM row of the quarter (stg_enoe__sdem, before any r_def / c_res / eda filter):
-- DOMAIN.md "never filter the sample before the design", so a PSU without an interviewed adult (all its
-- rows r_def <> 0, or only children or non-residents) still counts among its stratum's PSUs. The
-- estimates themselves stay on the survey universe (int_enoe__universo); such a PSU enters them with
-- a linearised total of 0. Rows without a stratum or PSU code cannot place a PSU and are left out.
with

upms as (
    select distinct periodo, estrato, upm,
    from {{ ref('stg_enoe__sdem') }}
    where estrato is not null
        and upm is not null
        {%- if var('enoe_periodos', none) %}
        -- The same optional restriction to some quarters as int_enoe__universo.
        and periodo in ('{{ var('enoe_periodos') | join("', '") }}')
        {%- endif %}
),

periodos as (
    select
        periodo,
        row_number() over (order by periodo) as periodo_id,
    from (select distinct periodo from upms)
)

select
    upms.periodo,
    periodos.periodo_id,
    upms.estrato,
    dense_rank() over (order by upms.periodo, upms.estrato) as estrato_id,
    count(*) over (partition by upms.periodo, upms.estrato) as n_upm,
    upms.upm,
    row_number() over (order by upms.periodo, upms.upm) as upm_id,
from upms
inner join periodos
    on upms.periodo = periodos.periodo
