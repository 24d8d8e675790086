package dev.morse.experiment;

import dev.morse.problems.CustomProblem;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads a spec's {@code problem: {kind: java, class: …, jar: …}}: the class from the jar (or
 * directory) the spec names, else from the thread's context class loader (which
 * {@code morse run --classpath} extends). Every failure is a {@link SpecException} (exit 2,
 * one line) naming the class and what is wrong.
 */
public final class JavaProblems {
    private JavaProblems() {
    }

    /** A class loader over jars or class directories, with morse's own classes as parent. */
    public static ClassLoader classLoader(Iterable<Path> entries, ClassLoader parent, String what) {
        java.util.List<URL> urls = new java.util.ArrayList<>();
        for (Path p : entries) {
            if (!Files.exists(p)) {
                throw new SpecException(what, "not found: " + p);
            }
            try {
                urls.add(p.toAbsolutePath().toUri().toURL());
            } catch (MalformedURLException e) {
                throw new SpecException(what, "not a usable path: " + p);
            }
        }
        return new URLClassLoader(urls.toArray(new URL[0]), parent);
    }

    /** A new instance of the spec's class. */
    public static CustomProblem instantiate(Spec.ProblemSpec p) {
        ClassLoader parent = Thread.currentThread().getContextClassLoader();
        if (parent == null) {
            parent = JavaProblems.class.getClassLoader();
        }
        ClassLoader loader = p.jar() == null ? parent
                : classLoader(java.util.List.of(Path.of(p.jar())), parent, "problem.jar");
        String name = p.javaClass();
        Class<?> c;
        try {
            c = Class.forName(name, true, loader);
        } catch (ClassNotFoundException e) {
            throw new SpecException("problem.class", "class " + name + " not found (put its jar or class directory on "
                    + "the classpath: morse run --classpath JAR, or problem.jar)");
        } catch (LinkageError e) {
            throw new SpecException("problem.class", "class " + name + " cannot be loaded: " + e);
        }
        if (!CustomProblem.class.isAssignableFrom(c)) {
            throw new SpecException("problem.class", name + " does not implement " + CustomProblem.class.getName());
        }
        try {
            Constructor<?> ctor = c.getConstructor();
            return (CustomProblem) ctor.newInstance();
        } catch (NoSuchMethodException e) {
            throw new SpecException("problem.class", name + " needs a public no-argument constructor");
        } catch (InvocationTargetException e) {
            throw new SpecException("problem.class", "the constructor of " + name + " threw " + e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new SpecException("problem.class", "cannot instantiate " + name + ": " + e);
        }
    }
}
