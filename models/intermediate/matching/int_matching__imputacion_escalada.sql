-- Each imputed indicator min-max scaled over the CT universe and inverted so that 1 is the worst
-- conditions and 0 the best (DOMAIN.md section 7; every Module I value is "more is better"):
-- escalado = (max - valor) / (max - min). An indicator with the same value for every CT scales to 0.
with imputacion as (
    select * from {{ ref('int_matching__imputacion_ct') }}
),

rangos as (
    select indicador, min(valor) as minimo, max(valor) as maximo,
    from imputacion
    group by indicador
)

select
    imputacion.centro_trabajo_id,
    imputacion.indicador,
    imputacion.valor,
    case
        when rangos.maximo > rangos.minimo
            then (rangos.maximo - imputacion.valor) / (rangos.maximo - rangos.minimo)
        else 0.0
    end as escalado,
    imputacion.origen,
    imputacion.cv,
    imputacion.usa_estimacion_imprecisa,
from imputacion
inner join rangos using (indicador)
