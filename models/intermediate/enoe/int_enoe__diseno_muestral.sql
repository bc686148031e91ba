-- The ENOE sample design as the variance macros need it: one row per quarter, stratum and PSU of the
-- survey universe, with integer keys (periodo_id, estrato_id, upm_id) and the PSUs of its stratum (n_upm,
-- for the ultimate-cluster variance and the lonely-PSU rule). Shared by every ENOE estimate with a CV.
with

upms as (
    select distinct periodo, estrato, upm,
    from {{ ref('int_enoe__universo') }}
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
