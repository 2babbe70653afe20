"""The native face's wire models: camelCase request bodies it maps onto the core's
inputs, and the renderings (``XRead.of``) of core objects with prefixed ids."""
