# Placeholder: the wanem helper provides the real fragment (wanem binary, sites library).
