# nbgrader configuration for a course built from "Draw a GAN".
# `python -m scripts.nbgrader_course DIR` copies this file into a new
# course directory DIR (with the root set) and the chapters into
# DIR/source/<chapter>/<chapter>.ipynb. See book/instructors.md.
c = get_config()  # noqa: F821 (nbgrader defines get_config)

c.CourseDirectory.course_id = "draw-a-gan"
# A {solution} dropdown in a markdown cell sits between
# "% BEGIN SOLUTION" and "% END SOLUTION" lines without nbgrader
# metadata (nbgrader would otherwise ask for it to be graded by hand):
# generate_assignment replaces it with "YOUR ANSWER HERE".
c.ClearSolutions.enforce_metadata = False
# Chapters train small GANs: give each cell time on a laptop CPU.
c.ExecutePreprocessor.timeout = 1800
