-- How long after its period each model-input indicator is published, and how the point-in-time matching
-- reads it (one row per indicator). The lag of an indicator is the longest of the deliveries it combines
-- (seed calendario_publicacion): ENOE needs SDEM, COE1 and COE2 of the quarter; the monthly IMSS indicators
-- the month's patrones and puestos; the accident rates the riesgos cut and the patrones of its 12 months; the
-- Censo its table C3. `regla` says what an inspection sees on its date:
--   promedio_12_meses  mean of the monthly values of the 12 months ending with the last month published
--                      (monthly IMSS; the manual's yearly mean, rolled to the inspection's date),
--   ultimo_12_meses    the newest period published within those 12 months (accidents: a yearly cut),
--   ultimo             the newest period published (ENOE quarters, the Censo edition).
with entregas as (
    select serie, fuente, entidad,
    from (values
        ('enoe', 'enoe', 'sdem'),
        ('enoe', 'enoe', 'coe1'),
        ('enoe', 'enoe', 'coe2'),
        ('imss_mensual', 'imss', 'patrones'),
        ('imss_mensual', 'imss', 'puestos'),
        ('imss_riesgos', 'imss', 'riesgos'),
        ('imss_riesgos', 'imss', 'patrones'),
        ('censo', 'censo', 'c3')
    ) as entregas (serie, fuente, entidad)
),

rezagos as (
    select entregas.serie, max(calendario.rezago_dias) as rezago_dias, count(calendario.entidad) as n_entregas,
    from entregas
    left join {{ ref('calendario_publicacion') }} as calendario
        on entregas.fuente = calendario.fuente and entregas.entidad = calendario.entidad
    group by entregas.serie
),

indicadores as (
    select
        fuente,
        indicador,
        case
            when fuente = 'imss' and frecuencia = 'anual' then 'imss_riesgos'
            when fuente = 'imss' then 'imss_mensual'
            else fuente
        end as serie,
    from {{ ref('indicadores') }}
    where entra_al_modelo = 'sí'
)

select
    indicadores.fuente,
    indicadores.indicador,
    indicadores.serie,
    rezagos.rezago_dias::integer as rezago_dias,
    case indicadores.serie
        when 'imss_mensual' then 'promedio_12_meses'
        when 'imss_riesgos' then 'ultimo_12_meses'
        else 'ultimo'
    end as regla,
from indicadores
left join rezagos on indicadores.serie = rezagos.serie
