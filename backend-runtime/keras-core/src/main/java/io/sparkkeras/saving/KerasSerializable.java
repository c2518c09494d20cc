package io.sparkkeras.saving;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a user class (layer, loss, metric, optimizer, model) as saveable in {@code .keras} files under the registered
 * name {@code "<packageName>>[name]"}, as Keras's {@code @keras.saving.register_keras_serializable(package, name)}.
 * The class needs a public static {@code fromConfig(Map<String, Object>)} and is registered with
 * {@link SerializationRegistry#register(Class)}.
 *
 * <pre>{@code
 * @KerasSerializable(packageName = "MyLayers")
 * public final class Scale extends Layer { ... public static Scale fromConfig(Map<String, Object> c) { ... } }
 *
 * SerializationRegistry.register(Scale.class);   // saved as "MyLayers>Scale"
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface KerasSerializable {
    /** Keras's {@code package}. Defaults to {@code "Custom"}. */
    String packageName() default "Custom";

    /** Keras's {@code name}. Defaults to the simple class name. */
    String name() default "";
}
