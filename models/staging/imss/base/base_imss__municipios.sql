-- IMSS municipality code (per delegación) -> INEGI geo5, after the project's corrections.
with
    catalogo as (
        select cve_municipio_imss, cve_delegacion, cve_entidad, cvegeo_inegi, match_method,
        from {{ ref('imss_municipios_inegi') }}
    ),

    correcciones as (
        select cve_municipio_imss, cve_delegacion, cvegeo_inegi, estatus,
        from {{ ref('imss_municipios_correcciones') }}
    )

select
    catalogo.cve_municipio_imss,
    catalogo.cve_delegacion,
    catalogo.cve_entidad as geo2,
    case
        when correcciones.estatus is not null then nullif(correcciones.cvegeo_inegi, '')
        else nullif(catalogo.cvegeo_inegi, '')
    end as geo5,
    coalesce(correcciones.estatus, catalogo.match_method) as estatus_municipio,
from catalogo
left join correcciones
    on catalogo.cve_municipio_imss = correcciones.cve_municipio_imss
    and catalogo.cve_delegacion = correcciones.cve_delegacion
