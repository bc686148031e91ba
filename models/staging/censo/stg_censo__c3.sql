-- Censo Económico 2019, three largest units per municipality x SCIAN sector: typed, INEGI keys padded.
-- '31-33' and '48-49' become the SIDIL sector codes '31' and '48'.
select
    lpad(trim(entidad), 2, '0') as geo2,
    lpad(trim(entidad), 2, '0') || lpad(trim(municipio), 3, '0') as geo5,
    case trim(scian2dgts) when '31-33' then '31' when '48-49' then '48' else trim(scian2dgts) end
        as scian2018_2,
    try_cast(ct3_po as double) as ct3_po,
    try_cast(ct3_remunerado as double) as ct3_remunerado,
    try_cast(ct3_otra_razon as double) as ct3_otra_razon,
    try_cast(ue as integer) as ue,
    try_cast(total_ocupado as double) as total_ocupado,
    try_cast(total_otra_rs as double) as total_otra_rs,
    periodo,
from {{ source('censo', 'censo_c3') }}
