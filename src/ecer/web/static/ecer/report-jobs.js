// The report generator on /reports/: submits the form, polls the job and offers the file.
(function () {
  const form = document.getElementById("generate-form");
  const box = document.getElementById("job");
  const bar = document.getElementById("job-progress");
  const status = document.getElementById("job-status");
  const step = document.getElementById("job-step");
  const link = document.getElementById("job-download");
  const error = document.getElementById("job-error");
  const base = box.dataset.base;
  function show(job) {
    box.hidden = false;
    bar.value = job.progress;
    status.textContent = job.status_label + " " + job.progress + "%";
    step.textContent = job.step;
    box.dataset.status = job.status;
    if (job.status === "done") {
      link.href = base + "jobs/" + job.id + "/download/";
      link.textContent = box.dataset.downloadLabel + " " + job.filename;
      link.hidden = false;
    } else if (job.status === "failed") {
      error.textContent = job.error;
      error.hidden = false;
    } else {
      setTimeout(function () { poll(job.id); }, 500);
    }
  }
  function poll(id) {
    fetch(base + "jobs/" + id + "/", {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); }).then(show);
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    link.hidden = true; error.hidden = true;
    fetch(form.action, {method: "POST", body: new FormData(form), headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); }).then(show);
  });
  const params = new URLSearchParams(location.search);
  if (params.get("job")) poll(params.get("job"));
})();
