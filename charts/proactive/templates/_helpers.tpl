{{/* Release-scoped name: "<release>-proactive", or the release name when it already says proactive. */}}
{{- define "proactive.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "proactive.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one service; call with (dict "root" $ "component" "tracker"). */}}
{{- define "proactive.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Image of one service; call with (dict "root" $ "repository" "proactive-tracker"). */}}
{{- define "proactive.image" -}}
{{- printf "%s%s:%s" .root.Values.image.registry .repository (.root.Values.image.tag | default .root.Chart.AppVersion) -}}
{{- end -}}

{{/* ServiceAccount name of one service; call with (dict "root" $ "component" "tracker"). */}}
{{- define "proactive.serviceAccountName" -}}
{{- if .root.Values.serviceAccount.create -}}
{{- printf "%s-%s" (include "proactive.fullname" .root) .component -}}
{{- else -}}
default
{{- end -}}
{{- end -}}
