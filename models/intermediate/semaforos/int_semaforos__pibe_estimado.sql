-- Estimated state GDP at constant prices (spec 004 section 3), per state and quarter:
--     PIBE_hat(j, T, A) = PIBE(j, A-1) x prod_{i=1..T} ITAEE(j, i) / ITAEE(j, i-1)
-- where quarter 0 is the fourth quarter of A-1, so the product telescopes to
-- ITAEE(j, T, A) / ITAEE(j, 4T, A-1): last year's GDP moved by the index since last year's close. In
-- millions of pesos a year (productivity divides it by four). National (cve_ent '00') = sum of the
-- states' estimates, as INEGI's national GDP is the sum of the states.
with

itaee as (
    select cve_ent, periodo, anio, trimestre, itaee,
    from {{ ref('stg_externos__itaee') }}
    where cve_ent <> '00'
),

pibe as (
    select cve_ent, anio, pibe_mdp,
    from {{ ref('stg_externos__pibe') }}
    where cve_ent <> '00'
),

estatal as (
    select
        actual.cve_ent,
        actual.periodo,
        actual.anio,
        actual.trimestre,
        pibe.pibe_mdp as pibe_anio_anterior_mdp,
        cierre.itaee as itaee_cierre_anio_anterior,
        actual.itaee,
        pibe.pibe_mdp * actual.itaee / cierre.itaee as pibe_estimado_mdp,
    from itaee as actual
    inner join itaee as cierre
        on actual.cve_ent = cierre.cve_ent
        and cierre.anio = actual.anio - 1
        and cierre.trimestre = 4
    inner join pibe
        on actual.cve_ent = pibe.cve_ent
        and pibe.anio = actual.anio - 1
)

select
    cve_ent,
    periodo,
    anio,
    trimestre,
    pibe_anio_anterior_mdp,
    itaee_cierre_anio_anterior,
    itaee,
    pibe_estimado_mdp,
from estatal
union all
select
    '00' as cve_ent,
    periodo,
    any_value(anio) as anio,
    any_value(trimestre) as trimestre,
    sum(pibe_anio_anterior_mdp) as pibe_anio_anterior_mdp,
    null as itaee_cierre_anio_anterior,
    null as itaee,
    sum(pibe_estimado_mdp) as pibe_estimado_mdp,
from estatal
group by periodo
