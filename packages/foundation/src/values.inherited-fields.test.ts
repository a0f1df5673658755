// inheritedFields: the fields an options object gives, own and inherited, each read once.
import { describe, expect, it } from 'vitest';
import { inheritedFields } from './index.js';

describe('inheritedFields', () => {
  it('copies own fields and the fields of an Object.create base, the nearest first', () => {
    const far = { a: 1, b: 1 };
    const near = Object.assign(Object.create(far) as object, { b: 2 });
    const value = Object.assign(Object.create(near) as object, { c: 3 });
    expect(inheritedFields(value)).toEqual({ a: 1, b: 2, c: 3 });
  });

  it('reads a class getter once and leaves out its methods, a lone setter and Object.prototype members', () => {
    let reads = 0;
    class Options {
      own = 'x';
      get port(): number {
        reads++;
        return 25;
      }
      set only(_v: number) {}
      method(): void {}
    }
    const copy = inheritedFields(new Options());
    expect(copy).toEqual({ own: 'x', port: 25 });
    expect(Object.keys(copy).sort()).toEqual(['own', 'port']);
    expect(Object.hasOwn(copy, 'constructor')).toBe(false);
    expect(reads).toBe(1);
  });

  it('an object with no prototype is spread', () => {
    const value = Object.assign(Object.create(null) as object, { a: 1 });
    expect(inheritedFields(value)).toEqual({ a: 1 });
  });

  it('a name met on a nearer prototype (a method, a lone setter) or as an own hidden field hides a getter further up', () => {
    class A {
      get x(): number {
        return 1;
      }
      get y(): number {
        return 2;
      }
      get z(): number {
        return 3;
      }
    }
    class B extends A {
      // @ts-expect-error a method that shadows A's getter, as JavaScript allows
      x(): void {}
      // @ts-expect-error a lone setter that shadows A's getter
      set y(_v: number) {}
    }
    const value = new B();
    Object.defineProperty(value, 'z', { value: 4, enumerable: false });
    const copy = inheritedFields(value);
    expect(copy).toEqual({});
    expect(Object.keys(copy)).toEqual([]);
  });
});
