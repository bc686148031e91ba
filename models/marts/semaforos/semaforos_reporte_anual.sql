-- The yearly report of the Semáforos (spec 004): the figures the spec computes for a whole year, one row
-- per (indicador, cve_ent, anio), cve_ent '00' = national, taken from marts.semaforos_estatales so that the
-- yearly report and the quarterly one never disagree:
--   empleo_formal:          the yearly figure ("trimestre o año"; "los reportes son realizados trimestralmente
--                           y anualmente en números enteros"): December's IMSS insured jobs minus the previous
--                           December's, one series per year (`serie`), against the yearly goal;
--   crecimiento_economico:  the full-year rate ("calculado de forma anual cuando es publicada la serie del
--                           cuarto trimestre del ITAEE"): the 4T row, mean of the year's four ITAEE quarters
--                           against the previous year's.
-- The other six indicators are quarterly in the spec (debt is published yearly but reported quarterly)
-- and have no yearly figure.
select
    anio,
    cve_ent,
    entidad,
    indicador,
    etiqueta,
    valor,
    unidad,
    valor_anio_anterior,
    cambio_anual,
    meta,
    semaforo,
    regla,
    serie,
    fuente,
    periodo as periodo_origen,
    {{ columnas_trazabilidad() }}
from {{ ref('semaforos_estatales') }}
where (indicador = 'empleo_formal' and periodicidad = 'anual')
    or (indicador = 'crecimiento_economico' and periodicidad = 'trimestral' and trimestre = 4
        and fuente like '%tasa de todo el año%')
