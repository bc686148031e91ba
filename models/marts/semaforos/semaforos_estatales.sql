-- Semáforos Económicos Estatales (spec 004): one row per (indicador, cve_ent, periodo), cve_ent '00' =
-- national; periodicidad 'trimestral' (periodo 'YYYYTq') or 'anual' (periodo 'YYYY', trimestre NULL: the
-- yearly formal-employment figure, December against December, with the yearly goal). Values are rounded
-- as the spec reports them (seed semaforos_reglas, `decimales`) and the colour is decided on the rounded
-- values, so what an analyst reads is what was compared:
--   cambio_anual     = valor - valor of the same period a year earlier (same state, same periodicity and,
--                      for employment, the same series: two series are never subtracted);
--   cambio_nacional  = the same for the national value;
--   semaforo / regla = the seed's rule for the indicator and the condition that held, in words.
-- The national row of a rule relative to the national value has no colour (it is the reference).
with

reglas as (
    select indicador, etiqueta, unidad, decimales, regla, umbral_verde, umbral_amarillo,
    from {{ ref('semaforos_reglas') }}
),

entidades as (
    select distinct cve_ent, nom_ent as entidad,
    from {{ ref('inegi_municipios') }}
    union all
    select '00' as cve_ent, 'Nacional' as entidad
),

valores as (
    select
        indicadores.indicador,
        indicadores.cve_ent,
        indicadores.periodicidad,
        indicadores.periodo,
        indicadores.anio,
        indicadores.trimestre,
        round(indicadores.valor, reglas.decimales) as valor,
        indicadores.meta,
        indicadores.serie,
        indicadores.fuente,
    from {{ ref('int_semaforos__indicadores') }} as indicadores
    inner join reglas
        on indicadores.indicador = reglas.indicador
),

comparados as (
    select
        valores.*,
        nacional.valor as valor_nacional,
        anterior.valor as valor_anio_anterior,
        nacional_anterior.valor as valor_nacional_anio_anterior,
        reglas.etiqueta,
        reglas.unidad,
        reglas.decimales,
        reglas.regla as tipo_regla,
        reglas.umbral_verde,
        reglas.umbral_amarillo,
        round(valores.valor - anterior.valor, reglas.decimales) as cambio_anual,
        round(nacional.valor - nacional_anterior.valor, reglas.decimales) as cambio_nacional,
    from valores
    inner join reglas
        on valores.indicador = reglas.indicador
    left join valores as nacional
        on valores.indicador = nacional.indicador
        and valores.periodo = nacional.periodo
        and valores.serie is not distinct from nacional.serie
        and nacional.cve_ent = '00'
    left join valores as anterior
        on valores.indicador = anterior.indicador
        and valores.cve_ent = anterior.cve_ent
        and valores.periodicidad = anterior.periodicidad
        and valores.serie is not distinct from anterior.serie
        and anterior.anio = valores.anio - 1
        and anterior.trimestre is not distinct from valores.trimestre
    left join valores as nacional_anterior
        on valores.indicador = nacional_anterior.indicador
        and nacional_anterior.cve_ent = '00'
        and valores.periodicidad = nacional_anterior.periodicidad
        and valores.serie is not distinct from nacional_anterior.serie
        and nacional_anterior.anio = valores.anio - 1
        and nacional_anterior.trimestre is not distinct from valores.trimestre
),

-- Numbers as text with the indicator's decimals, for the rule in words.
textos as (
    select
        comparados.*,
        printf('%.' || decimales || 'f', valor) as t_valor,
        printf('%.' || decimales || 'f', valor_nacional) as t_nacional,
        printf('%+.' || decimales || 'f', cambio_anual) as t_cambio,
        printf('%+.' || decimales || 'f', cambio_nacional) as t_cambio_nacional,
        printf('%.0f', meta) as t_meta,
        printf('%.0f', umbral_amarillo / 100 * meta) as t_meta_amarilla,
        printf('%g', umbral_verde) as t_verde,
        printf('%g', umbral_amarillo) as t_amarillo,
    from comparados
),

coloreados as (
    select
        textos.*,
        case tipo_regla
            when 'umbral' then
                case
                    when valor > umbral_verde then 'verde'
                    when valor > umbral_amarillo then 'amarillo'
                    else 'rojo'
                end
            when 'meta' then
                case
                    when meta is null then null
                    when valor >= umbral_verde / 100 * meta then 'verde'
                    when valor >= umbral_amarillo / 100 * meta then 'amarillo'
                    else 'rojo'
                end
            when 'menor_es_mejor' then
                case
                    when cve_ent = '00' or valor_nacional is null then null
                    when valor > valor_nacional then 'rojo'
                    when cambio_anual is null or cambio_nacional is null then null
                    when cambio_anual <= cambio_nacional then 'verde'
                    else 'amarillo'
                end
            when 'mayor_es_mejor' then
                case
                    when cve_ent = '00' or valor_nacional is null then null
                    when valor < valor_nacional then 'rojo'
                    when cambio_anual is null or cambio_nacional is null then null
                    when cambio_anual >= cambio_nacional then 'verde'
                    else 'amarillo'
                end
        end as semaforo,
    from textos
)

select
    indicador,
    etiqueta,
    coloreados.cve_ent,
    entidades.entidad,
    periodicidad,
    periodo,
    anio,
    trimestre,
    valor,
    unidad,
    valor_nacional,
    valor_anio_anterior,
    cambio_anual,
    valor_nacional_anio_anterior,
    cambio_nacional,
    meta,
    semaforo,
    case
        when tipo_regla = 'umbral' then
            case semaforo
                when 'verde' then 'verde: ' || t_valor || ' > ' || t_verde
                when 'amarillo' then 'amarillo: ' || t_amarillo || ' < ' || t_valor || ' <= ' || t_verde
                else 'rojo: ' || t_valor || ' <= ' || t_amarillo
            end
        when tipo_regla = 'meta' then
            case semaforo
                when 'verde' then 'verde: ' || t_valor || ' >= ' || t_verde || ' % de la meta (' || t_meta || ')'
                when 'amarillo' then 'amarillo: ' || t_valor || ' >= ' || t_amarillo || ' % de la meta ('
                    || t_meta_amarilla || ') y < meta (' || t_meta || ')'
                when 'rojo' then 'rojo: ' || t_valor || ' < ' || t_amarillo || ' % de la meta ('
                    || t_meta_amarilla || ')'
                else 'sin color: no hay meta vigente para el periodo'
            end
        when coloreados.cve_ent = '00' then 'sin color: valor nacional, referencia de los estados'
        when valor_nacional is null then 'sin color: no hay valor nacional del periodo'
        when semaforo = 'rojo' then
            'rojo: ' || t_valor || case when tipo_regla = 'menor_es_mejor' then ' > ' else ' < ' end
            || 'nacional ' || t_nacional
        when semaforo is null then
            'sin color: ' || t_valor || ' no es peor que el nacional ' || t_nacional
            || ' pero falta el mismo trimestre del año anterior'
        else semaforo || ': ' || t_valor || case when tipo_regla = 'menor_es_mejor' then ' <= ' else ' >= ' end
            || 'nacional ' || t_nacional || ' y cambio ' || t_cambio
            || case
                when semaforo = 'verde' and tipo_regla = 'menor_es_mejor' then ' <= '
                when semaforo = 'verde' then ' >= '
                when tipo_regla = 'menor_es_mejor' then ' > '
                else ' < '
            end
            || 'cambio nacional ' || t_cambio_nacional
    end as regla,
    serie,
    fuente,
    {{ columnas_trazabilidad() }}
from coloreados
left join entidades
    on coloreados.cve_ent = entidades.cve_ent
