{#- Quality groups of an estimate from its CV in percent (DOMAIN.md section 3).
    One digit: 1 high (cv <= 15), 2 moderate (15-30), 3 low (> 30). Two digits: finer 5-point bands
    inside each group (11: 0-5, 12: 5-10, 13: 10-15, 21: 15-20, 22: 20-25, 23: 25-30, 31: 30-40,
    32: 40-60, 33: > 60). A NULL CV (e.g. a single observation) is group 3 / 33. -#}
{% macro grupo_calidad_info1(cv) -%}
    case when {{ cv }} <= 15 then 1 when {{ cv }} <= 30 then 2 else 3 end
{%- endmacro %}

{% macro grupo_calidad_info2(cv) -%}
    case
        when {{ cv }} <= 5 then 11 when {{ cv }} <= 10 then 12 when {{ cv }} <= 15 then 13
        when {{ cv }} <= 20 then 21 when {{ cv }} <= 25 then 22 when {{ cv }} <= 30 then 23
        when {{ cv }} <= 40 then 31 when {{ cv }} <= 60 then 32 else 33
    end
{%- endmacro %}
