-- El Economista's Índice de Calidad y Competencia de la Ocupación (spec 003), per quarter, for the states
-- and for the ENOE self-represented cities, from the eight complementary rates (tasas_complementarias).
--  * Per rate, units of the same quarter and scope are ranked from best to worst (lowest rate first,
--    except trabajo asalariado where the highest is best); ties share the better rank.
--  * Points of a rate = n − rank + 1 (the best of n units gets n, the worst 1); `puntos` sums the eight.
--  * puntaje = the average over the eight rates of 100 · (n − rank) / (n − 1), i.e. 100 only for the best
--    on every rate and 0 only for the worst on every rate (equal weights).
--  * nivel: alto (> 80), medio alto (55-80), medio bajo (35-55), bajo (< 35); a score exactly on a cut
--    goes to the upper level (80 is medio alto, 55 medio alto, 35 medio bajo).
--  * Only units with all eight rates estimated in the quarter are ranked.
with

tasas as (
    select
        periodo,
        anio,
        trimestre,
        ambito,
        coalesce(geo2, cd_a) as unidad,
        tasa,
        valor,
        menor_es_mejor,
    from {{ ref('tasas_complementarias') }}
    where ambito in ('entidad', 'ciudad')
),

completas as (
    select periodo, ambito, unidad,
    from tasas
    group by periodo, ambito, unidad
    having count(distinct tasa) = (select count(*) from {{ ref('enoe_tasas_complementarias') }})
),

rangos as (
    select
        tasas.periodo,
        tasas.anio,
        tasas.trimestre,
        tasas.ambito,
        tasas.unidad,
        tasas.tasa,
        rank() over (
            partition by tasas.periodo, tasas.ambito, tasas.tasa
            order by case when tasas.menor_es_mejor then tasas.valor else -tasas.valor end
        ) as rango,
        count(*) over (partition by tasas.periodo, tasas.ambito, tasas.tasa) as n_unidades,
    from tasas
    inner join completas
        on tasas.periodo = completas.periodo
        and tasas.ambito = completas.ambito
        and tasas.unidad = completas.unidad
),

puntajes as (
    select
        periodo,
        anio,
        trimestre,
        ambito,
        unidad,
        any_value(n_unidades) as n_unidades,
        sum(n_unidades - rango + 1) as puntos,
        -- The mean of 100 (n - rank) / (n - 1) over the rates, as one division of exact integer sums: an
        -- average of floats would depend on the summation order, and units tied on points must tie here.
        100.0 * sum(n_unidades - rango) / nullif(count(*) * (any_value(n_unidades) - 1), 0) as puntaje,
    from rangos
    group by periodo, anio, trimestre, ambito, unidad
)

select
    periodo,
    anio,
    trimestre,
    ambito,
    case when ambito = 'entidad' then unidad end as geo2,
    case when ambito = 'ciudad' then unidad end as cd_a,
    n_unidades,
    puntos,
    puntaje,
    case
        when puntaje > 80 then 'alto'
        when puntaje >= 55 then 'medio alto'
        when puntaje >= 35 then 'medio bajo'
        else 'bajo'
    end as nivel,
    rank() over (partition by periodo, ambito order by puntaje desc) as posicion,
from puntajes
