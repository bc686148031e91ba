-- One row per insured job (NSS hash x registro x month), wage as a number.
select
    cve_registro,
    periodo,
    nss_hash,
    curp_hash,
    sexo,
    curp_completada,
    try_cast(sbc as double) as salario_diario,
    tipo_trabajador,
    rango_edad,
    rango_uma,
    cargado_en,
from {{ source('imss', 'imss_puestos') }}
