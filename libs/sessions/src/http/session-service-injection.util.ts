import {
  PARAMTYPES_METADATA,
  PROPERTY_DEPS_METADATA,
  SELF_DECLARED_DEPS_METADATA,
} from '@nestjs/common/constants.js';
import type { ModulesContainer } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';

/**
 * Whether a class of the app asks Nest to inject `token`, as Nest reads a
 * class's dependencies: its constructor's parameter types with their
 * `@Inject()` overrides, its `@Inject()` properties, or a factory's
 * `inject` (`useExisting` aliases are such factories). It looks at the
 * providers, controllers, enhancers (guards, interceptors, pipes, filters)
 * and middleware of every module but `skipped`, once the app is set up.
 */
export function appInjects(
  modules: ModulesContainer,
  token: unknown,
  skipped: (wrappers: Map<unknown, InstanceWrapper>) => boolean,
): boolean {
  for (const module of modules.values()) {
    if (skipped(module.providers)) {
      continue;
    }
    const collections = [
      module.providers,
      module.controllers,
      module.injectables,
      module.middlewares,
    ];
    for (const wrappers of collections) {
      for (const wrapper of wrappers.values()) {
        if (dependenciesOf(wrapper).some((item) => tokenOf(item) === token)) {
          return true;
        }
      }
    }
  }
  return false;
}

function dependenciesOf(wrapper: InstanceWrapper): unknown[] {
  if (wrapper.inject) {
    return wrapper.inject.map((item) =>
      isObject(item) && 'token' in item ? item.token : item,
    );
  }
  const type = wrapper.metatype;
  if (typeof type !== 'function') {
    return [];
  }
  const parameters = [
    ...((Reflect.getMetadata(PARAMTYPES_METADATA, type) as unknown[]) ?? []),
  ];
  const overrides = (Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, type) ??
    []) as { index: number; param: unknown }[];
  for (const { index, param } of overrides) {
    parameters[index] = param;
  }
  const properties = (Reflect.getMetadata(PROPERTY_DEPS_METADATA, type) ??
    []) as { type: unknown }[];
  return [...parameters, ...properties.map((property) => property.type)];
}

/** The token a dependency names, through `forwardRef()`. */
function tokenOf(dependency: unknown): unknown {
  return isObject(dependency) && 'forwardRef' in dependency
    ? (dependency.forwardRef as () => unknown)()
    : dependency;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
