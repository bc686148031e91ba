{#- First year of the IMSS history (dbt var `imss_anio_inicio`, declared in dbt_project.yml, 2019 as in the
    manual): the yearly IMSS series start in this year. Override with `--vars '{imss_anio_inicio: 2020}'`. -#}
{% macro imss_anio_inicio() -%}
    {%- set anio = var('imss_anio_inicio', 2019) | int -%}
    {%- if anio < 1990 or anio > 2100 -%}
        {{ exceptions.raise_compiler_error("imss_anio_inicio debe ser un año (p. ej. 2019), no " ~ var('imss_anio_inicio')) }}
    {%- endif -%}
    {{ anio }}
{%- endmacro %}
