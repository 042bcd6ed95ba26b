{{/* Common labels of every object of the chart. */}}
{{- define "egts.labels" -}}
app.kubernetes.io/name: egts
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The pod selector. */}}
{{- define "egts.selector" -}}
app.kubernetes.io/name: egts
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "egts.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The EnvoyGateway configuration: .Values.config, with the topology injector off when disabled. */}}
{{- define "egts.config" -}}
{{- $config := deepCopy .Values.config -}}
{{- if not .Values.topologyInjector.enabled -}}
{{- $_ := mergeOverwrite $config (dict "provider" (dict "kubernetes" (dict "topologyInjector" (dict "disable" true)))) -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}
